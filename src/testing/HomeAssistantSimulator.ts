/**
 * A Home Assistant WebSocket API simulator: a real server on 127.0.0.1 (a free port) that speaks the protocol the
 * way HA core does, over a small seeded home, and serves `/auth/token` on the same port. Its timers and token
 * expiry run on the Effect clock, so `TestClock` drives them.
 */
import type { AddressInfo } from "node:net"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type { HassEntity } from "../homeassistant/messages.js"
import { decodeDuration } from "../core/duration.js"
import { InvalidOption } from "../core/errors.js"
import {
  checked,
  firstFailure,
  isBoolean,
  isEntityId,
  isHttpStatusOrUndefined,
  isRecord,
  isState,
  isString
} from "./internal/arguments.js"
import { AssistDesk, type AssistRun } from "./internal/assist.js"
import { handleHttp, type TokenIssuer } from "./internal/authToken.js"
import { broadcast, broadcastEntityChange, type SimulatorWorld } from "./internal/commands.js"
import { Home, type StateChange } from "./internal/home.js"
import { liveStreamCount } from "./internal/liveStreams.js"
import { close, type Listener, listen } from "./internal/server.js"
import { StartupDesk } from "./internal/startup.js"
import { type ReceivedCommand, Wire } from "./internal/wire.js"

/** Options of the simulator. */
export interface SimulatorOptions {
  /** The token it accepts. Default `"simulator-token"`. */
  readonly accessToken?: string
  /** The version it reports. Default `"2026.1.2"` (the version the recorded frames came from). */
  readonly haVersion?: string
  /** How long a client may take to authenticate before it is disconnected (Effect clock). Default 10 s. */
  readonly authTimeout?: Duration.DurationInput
  /** The refresh token `/auth/token` honours. Default `"simulator-refresh-token"`. */
  readonly refreshToken?: string
  /** The OAuth client id that refresh token belongs to. Default: every non-empty client id is accepted. */
  readonly clientId?: string
  /** Lifetime of the access tokens `/auth/token` issues (HA: 30 minutes). Default 30 minutes. */
  readonly accessTokenLifetime?: Duration.DurationInput
}

/** One command as the simulator received it (after authentication). */
export type { ReceivedCommand }

/** The simulator: its address, its controls and what it has seen. */
export class HomeAssistantSimulator {
  /** `ws://127.0.0.1:<port>/api/websocket`. */
  readonly url: string
  /** `http://127.0.0.1:<port>`, the form people type. */
  readonly httpUrl: string
  private answerPings = true
  private eventOnNextSubscribe: { readonly event_type: string; readonly data: Record<string, unknown> } | undefined
  private readonly issuer: TokenIssuer

  private constructor(
    private listener: Listener,
    readonly port: number,
    private readonly home: Home,
    private readonly millis: () => number,
    private readonly run: <A>(effect: Effect.Effect<A>) => Fiber.RuntimeFiber<A>,
    private readonly options: {
      readonly accessToken: string
      readonly haVersion: string
      readonly authTimeout: Duration.Duration
      readonly issuer: TokenIssuer
      readonly assist: AssistDesk
    }
  ) {
    this.url = `ws://127.0.0.1:${port}/api/websocket`
    this.httpUrl = `http://127.0.0.1:${port}`
    this.issuer = options.issuer
    this.wire = new Wire({
      haVersion: options.haVersion,
      authTimeout: options.authTimeout,
      issuer: options.issuer,
      millis,
      run,
      world: () => this.world
    }, options.accessToken)
    this.wire.accept(listener)
  }

  private readonly wire: Wire

  /** Every command received after authentication, in order. */
  get received(): Array<ReceivedCommand> {
    return this.wire.received
  }

  /** How each connection ended, in order: the close code and reason it got (1006 when there was no close frame). */
  get closes(): ReadonlyArray<{ readonly connection: number; readonly code: number; readonly reason: string }> {
    return this.wire.closes
  }

  /**
   * Starts a simulator; it stops (every connection terminated, port released) when the scope closes. A bad option
   * is an `InvalidOption` naming it, and nothing starts.
   */
  static make(options: SimulatorOptions = {}): Effect.Effect<HomeAssistantSimulator, InvalidOption, Scope.Scope> {
    if (typeof options !== "object" || options === null) {
      return Effect.fail(new InvalidOption({ option: "options", reason: "expected an object" }))
    }
    const bad = firstFailure((["accessToken", "haVersion", "refreshToken", "clientId"] as const).map((name) =>
      options[name] === undefined ? undefined : isString(name, options[name])
    ))
    if (bad !== undefined) return Effect.fail(bad)
    const authTimeout = decodeDuration("authTimeout", options.authTimeout ?? "10 seconds")
    if (authTimeout._tag === "Left") return Effect.fail(authTimeout.left)
    const lifetime = decodeDuration("accessTokenLifetime", options.accessTokenLifetime ?? "30 minutes")
    if (lifetime._tag === "Left") return Effect.fail(lifetime.left)
    return Effect.acquireRelease(
      Effect.gen(function*() {
        const runtime = yield* Effect.runtime<never>()
        const clock = yield* Effect.clock
        const millis = () => clock.unsafeCurrentTimeMillis()
        const issuer: TokenIssuer = {
          refreshToken: options.refreshToken ?? "simulator-refresh-token",
          clientId: options.clientId,
          lifetimeSeconds: Duration.toSeconds(lifetime.right),
          issued: new Map(),
          failStatus: undefined,
          requests: 0
        }
        const assist = new AssistDesk()
        const listener = yield* listen(0, (request, response) =>
          assist.tts.serve(request, response) || handleHttp(issuer, millis, request, response))
        return new HomeAssistantSimulator(
          listener,
          (listener.http.address() as AddressInfo).port,
          new Home(() => new Date(millis()).toISOString()),
          millis,
          // The runtime was captured inside an uninterruptible acquire: re-enable interruption for timers.
          (effect) => Runtime.runFork(runtime)(Effect.interruptible(effect)),
          {
            accessToken: options.accessToken ?? "simulator-token",
            haVersion: options.haVersion ?? "2026.1.2",
            authTimeout: authTimeout.right,
            issuer,
            assist
          }
        )
      }),
      (simulator) => simulator.stop
    )
  }

  /** The entities' current states. */
  get states(): ReadonlyArray<HassEntity> {
    return [...this.home.states.values()]
  }

  /** Connections accepted since the simulator started. */
  get acceptedCount(): number {
    return this.wire.accepted
  }

  /** Connections open now (authenticated or not). */
  get connectionCount(): number {
    return this.wire.clients.size
  }

  /** Live subscriptions across every connection. */
  get subscriptionCount(): number {
    let count = 0
    for (const client of this.wire.clients) {
      count += client.subscriptions.size + client.entitySubscriptions.size + client.templates.size + client.triggers.size +
        liveStreamCount(client)
    }
    return count
  }

  /** How many commands of `type` were received. */
  count(type: string): number {
    return this.received.filter((command) => command.message.type === type).length
  }

  /** Drops every connection abruptly, as a crash or network cut would. */
  readonly dropAll: Effect.Effect<void> = Effect.sync(() => {
    for (const client of this.wire.clients) client.socket.terminate()
  })

  /** Drops every connection and stops listening: connection attempts are refused until `goOnline`. */
  readonly goOffline: Effect.Effect<void> = Effect.suspend(() => this.stop)

  /** Listens again on the same port. */
  readonly goOnline: Effect.Effect<void> = Effect.suspend(() =>
    Effect.map(listen(this.port, (request, response) =>
      this.options.assist.tts.serve(request, response) || handleHttp(this.issuer, this.millis, request, response)), (listener) => {
      this.listener = listener
      this.wire.accept(listener)
    })
  )

  /** Stops listening, drops every connection, and listens again on the same port, as an HA restart does. */
  readonly restart: Effect.Effect<void> = Effect.suspend(() => Effect.zipRight(this.goOffline, this.goOnline))

  /**
   * Restarts into a Home Assistant that is still starting: `get_config` says `STARTING`, and — as real HA does —
   * `subscribe_trigger` succeeds then but those triggers never fire (HAWS #555), an integration's commands
   * (`history/`, `logbook/`, `recorder/`, `assist_pipeline/`, `conversation/`) are `unknown_command`, and
   * `integration/wait` waits. `finishStarting` ends it.
   */
  readonly restartStarting: Effect.Effect<void> = Effect.suspend(() => {
    this.home.config = { ...this.home.config, state: "STARTING" }
    return this.restart
  })

  /** HA is running again: `get_config` says `RUNNING` and `homeassistant_started` is fired. */
  readonly finishStarting: Effect.Effect<void> = Effect.sync(() => {
    this.home.config = { ...this.home.config, state: "RUNNING" }
    this.startup.started(this.world)
    this.fire("homeassistant_started", {})
  })

  /** Delays every reply by `delay` (Effect clock); `Duration.infinity` holds replies forever. */
  setReplyDelay(delay: Duration.DurationInput): Effect.Effect<void, InvalidOption> {
    const decoded = decodeDuration("setReplyDelay.delay", delay)
    return decoded._tag === "Left" ? Effect.fail(decoded.left) : Effect.sync(() => {
      this.wire.replyDelay = decoded.right
    })
  }

  /** Changes the accepted token; connections that authenticate later with the old one get `auth_invalid`. */
  setAccessToken(token: string): Effect.Effect<void, InvalidOption> {
    return checked([isString("setAccessToken.token", token)], () => {
      this.wire.token = token
    })
  }

  /** Stops answering `auth` (the client's auth timeout then fires), or resumes. */
  setAnswerAuth(answer: boolean): Effect.Effect<void, InvalidOption> {
    return checked([isBoolean("setAnswerAuth.answer", answer)], () => {
      this.wire.answerAuth = answer
    })
  }

  /** Stops answering `ping` (a silent server, for heartbeat tests), or resumes. */
  setAnswerPings(answer: boolean): Effect.Effect<void, InvalidOption> {
    return checked([isBoolean("setAnswerPings.answer", answer)], () => {
      this.answerPings = answer
    })
  }

  /** The next `subscribe_events` result is followed, in the same coalesced frame, by this event. */
  emitOnNextSubscribe(eventType: string, data: Record<string, unknown>): Effect.Effect<void, InvalidOption> {
    return checked([isString("emitOnNextSubscribe.eventType", eventType), isRecord("emitOnNextSubscribe.data", data)], () => {
      this.eventOnNextSubscribe = { event_type: eventType, data }
    })
  }

  /**
   * Sets an entity's state (and, if given, its attributes; adding the entity if it is new), as an integration would:
   * `state_changed` to event subscribers and the compressed change to `subscribe_entities` subscribers.
   */
  setState(
    entityId: string,
    state: string,
    attributes?: Readonly<Record<string, unknown>>
  ): Effect.Effect<void, InvalidOption> {
    return checked(
      [isEntityId("setState.entityId", entityId), isState("setState.state", state), isRecord("setState.attributes", attributes, true)],
      () => this.announce(this.home.setState(entityId, state, attributes))
    )
  }

  /** Removes an entity: `state_changed` with `new_state: null`, and `r` to `subscribe_entities` subscribers. */
  removeEntity(entityId: string): Effect.Effect<void, InvalidOption> {
    return checked([isString("removeEntity.entityId", entityId)], () => {
      const change = this.home.removeEntity(entityId)
      if (change !== undefined) this.announce(change)
    })
  }

  private announce(change: StateChange): void {
    broadcast(this.world, "state_changed", change as StateChange & Record<string, unknown>)
    broadcastEntityChange(this.world, change)
    this.wire.flushAll()
  }

  /** Changes `get_config`'s answer and fires `core_config_updated`, as HA does when the configuration changes. */
  updateConfig(changes: Readonly<Record<string, unknown>>): Effect.Effect<void, InvalidOption> {
    return checked([isRecord("updateConfig.changes", changes)], () => {
      this.home.config = { ...this.home.config, ...changes }
      broadcast(this.world, "core_config_updated", {})
      this.wire.flushAll()
    })
  }

  /** Adds an area to the area registry and fires `area_registry_updated`. */
  addArea(areaId: string, name: string): Effect.Effect<void, InvalidOption> {
    return checked([isString("addArea.areaId", areaId), isString("addArea.name", name)], () => {
      this.home.areas = [...this.home.areas, { area_id: areaId, name }]
      broadcast(this.world, "area_registry_updated", { action: "create", area_id: areaId })
      this.wire.flushAll()
    })
  }

  /** Adds a floor to the floor registry and fires `floor_registry_updated` (HA 2024.4+). */
  addFloor(floorId: string, name: string, level: number | null = null): Effect.Effect<void, InvalidOption> {
    return checked([isString("addFloor.floorId", floorId), isString("addFloor.name", name)], () => {
      this.home.floors = [...this.home.floors, { floor_id: floorId, name, level }]
      broadcast(this.world, "floor_registry_updated", { action: "create", floor_id: floorId })
      this.wire.flushAll()
    })
  }

  /** Adds a label to the label registry and fires `label_registry_updated` (HA 2024.4+). */
  addLabel(labelId: string, name: string): Effect.Effect<void, InvalidOption> {
    return checked([isString("addLabel.labelId", labelId), isString("addLabel.name", name)], () => {
      this.home.labels = [...this.home.labels, { label_id: labelId, name, color: null }]
      broadcast(this.world, "label_registry_updated", { action: "create", label_id: labelId })
      this.wire.flushAll()
    })
  }

  /** Adds `domain.service` to `get_services` and fires `service_registered`. */
  registerService(domain: string, service: string): Effect.Effect<void, InvalidOption> {
    return checked([isString("registerService.domain", domain), isString("registerService.service", service)], () => {
      this.home.services = { ...this.home.services, [domain]: { ...this.home.services[domain], [service]: { fields: {} } } }
      broadcast(this.world, "service_registered", { domain, service })
      this.wire.flushAll()
    })
  }

  /** Fires an event to every subscriber of its type. */
  fireEvent(eventType: string, data: Record<string, unknown>): Effect.Effect<void, InvalidOption> {
    return checked([isString("fireEvent.eventType", eventType), isRecord("fireEvent.data", data)], () => this.fire(eventType, data))
  }

  private fire(eventType: string, data: Record<string, unknown>): void {
    broadcast(this.world, eventType, data)
    this.wire.flushAll()
  }


  /** `/auth/token` requests received. */
  get tokenRequests(): number {
    return this.issuer.requests
  }

  /** Revokes the refresh token: `/auth/token` answers 400 `invalid_grant` from now on. */
  readonly revokeRefreshToken: Effect.Effect<void> = Effect.sync(() => {
    this.issuer.refreshToken = undefined
  })

  /** Answers every `/auth/token` request with `status` (say 502, a proxy with HA down), or normally again. */
  setTokenEndpointStatus(status: number | undefined): Effect.Effect<void, InvalidOption> {
    return checked([isHttpStatusOrUndefined("setTokenEndpointStatus.status", status)], () => {
      this.issuer.failStatus = status
    })
  }

  /** Every Assist pipeline run received, with the audio its STT stage got and any framing fault it found. */
  get assistRuns(): ReadonlyArray<AssistRun> {
    return this.options.assist.runs
  }

  /** Binary frames for no live handler of their connection (HA drops them), such as audio sent after a run ended. */
  get strayAudioFrames(): number {
    return this.options.assist.strayFrames
  }

  /** What the STT stage recognises in any audio from now on; `undefined`: nothing (`stt-no-text-recognized`). */
  setAssistTranscript(text: string | undefined): Effect.Effect<void, InvalidOption> {
    return checked([text === undefined ? undefined : isString("setAssistTranscript.text", text)], () => {
      this.options.assist.transcript = text
    })
  }

  /** The next pipeline run emits HA's `error` event with `code` and `message` after `run-start`, then `run-end`. */
  failNextAssistRun(code: string, message: string): Effect.Effect<void, InvalidOption> {
    return checked([isString("failNextAssistRun.code", code), isString("failNextAssistRun.message", message)], () => {
      this.options.assist.nextError = { code, message }
    })
  }

  private get stop(): Effect.Effect<void> {
    // Its timers go with it (a run's timeout would otherwise keep the process alive for 300 s).
    const timers = [...this.timers]
    this.timers.clear()
    return Effect.zipRight(close(this.listener), Fiber.interruptAll(timers))
  }

  /** The pending `after` timers, interrupted when the simulator stops or goes offline. */
  private readonly timers = new Set<Fiber.RuntimeFiber<void>>()

  private readonly startup = new StartupDesk()

  /** What the command handlers may do to the simulator (built on first use, after the constructor ran). */
  private worldView: SimulatorWorld | undefined
  private get world(): SimulatorWorld {
    this.worldView ??= {
      haVersion: this.options.haVersion,
      home: this.home,
      answersPings: () => this.answerPings,
      takeEventOnNextSubscribe: () => {
        const extra = this.eventOnNextSubscribe
        this.eventOnNextSubscribe = undefined
        return extra
      },
      reply: (client, messages) => this.wire.reply(client, messages),
      enqueue: (client, message) => this.wire.enqueue(client, message),
      clients: () => this.wire.clients,
      flushAll: () => this.wire.flushAll(),
      assist: this.options.assist,
      startup: this.startup,
      after: (delay, f) => {
        const timer = this.run(Effect.zipRight(Effect.sleep(delay), Effect.sync(() => {
          this.timers.delete(timer)
          f()
        })))
        this.timers.add(timer)
        return () => {
          this.timers.delete(timer)
          this.run(Fiber.interrupt(timer))
        }
      },
      goAway: (stop) => {
        this.run(stop ? this.goOffline : this.restartStarting)
      }
    }
    return this.worldView
  }
}
