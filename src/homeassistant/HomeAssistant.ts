/**
 * The Home Assistant client: authentication, atomic ids, typed commands, subscriptions as Streams, reconnect with
 * re-subscription, and a heartbeat — on the core `WebSocketClient`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { durationOr } from "../core/duration.js"
import { type InvalidMessage, InvalidOption, type InvalidUrl } from "../core/errors.js"
import { WebSocketClient } from "../core/WebSocketClient.js"
import { type CommandError, CommandTimeout, Disconnected, InsecureConnection, type OpenError } from "./errors.js"
import { Deadlines } from "../core/Deadlines.js"
import { Link } from "./internal/link.js"
import { openSession } from "./internal/open.js"
import { registered, type Session, SessionEnded } from "./internal/session.js"
import { LiveSubscription } from "./internal/subscription.js"
import { Suspension } from "./internal/suspension.js"
import {
  callServiceMessage,
  type CallServiceResult,
  commandName,
  type CommandMessage,
  type HassEntity,
  type HassEvent,
  subscribeEventsMessage
} from "./messages.js"
import { isLoopbackHost, websocketApiUrl } from "./url.js"
import { makeCollections } from "./collections.js"
import { makeEntityStore, type SessionEvent } from "./entities.js"
import { makeStartedCount, renderTemplate, subscribeTrigger } from "./subscriptions.js"
import type { CommandOptions, HomeAssistantOptions } from "./options.js"

import { HomeAssistant } from "./service.js"

export type { ConnectionState } from "./internal/link.js"
export { HomeAssistant } from "./service.js"
export type { CommandOptions, HomeAssistantOptions } from "./options.js"

/** The default reconnect schedule: 1 s, 2 s, 4 s ... jittered, never more than 30 s apart. */
export const defaultReconnectSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("30 seconds")),
  Schedule.jittered
)

/** Every way building the client can fail: the first connection must authenticate. */
export type HomeAssistantStartError = OpenError | InvalidUrl | InsecureConnection | InvalidOption



/** Whether HA version `version` ("2022.3.8") is older than `year.month`. */
const versionBefore = (version: string, year: number, month: number) => {
  const [y = 0, m = 0] = version.split(".").map(Number)
  return y < year || (y === year && m < month)
}

/** The token as a `Redacted` string; anything else (from untyped code, or a token source) is `InvalidOption`. */
const asToken = (token: unknown): Either.Either<Redacted.Redacted<string>, InvalidOption> =>
  typeof token === "string"
    ? Either.right(Redacted.make(token))
    : Redacted.isRedacted(token) && typeof Redacted.value(token) === "string"
    ? Either.right(token as Redacted.Redacted<string>)
    : Either.left(new InvalidOption({ option: "accessToken", reason: "expected a string, a Redacted string or an Effect yielding one" }))

/** Builds the client: the first connection authenticates before this succeeds; later losses reconnect. */
export const make = (options: HomeAssistantOptions) =>
  Effect.gen(function*() {
    const client = yield* WebSocketClient
    const layerScope = yield* Effect.scope
    const url = yield* websocketApiUrl(options.url)
    if (url.protocol === "ws:" && options.allowInsecure !== true && !isLoopbackHost(url.hostname)) {
      return yield* new InsecureConnection({ host: url.hostname })
    }
    const settings = {
      url: url.href,
      // A token given as it is is checked now, before anything connects; a token source's, at each connect.
      accessToken: Effect.isEffect(options.accessToken)
        ? Effect.flatMap(options.accessToken, asToken)
        : Effect.succeed(yield* asToken(options.accessToken)),
      authTimeout: yield* durationOr("authTimeout", options.authTimeout, Duration.seconds(10)),
      connectTimeout: yield* durationOr("connectTimeout", options.connectTimeout, Duration.seconds(10)),
      commandTimeout: yield* durationOr("commandTimeout", options.commandTimeout, Duration.seconds(30))
    }
    const commandTimeout = settings.commandTimeout
    const heartbeat = options.heartbeat === false
      ? undefined
      : {
        interval: yield* durationOr("heartbeat.interval", options.heartbeat?.interval, Duration.seconds(30)),
        timeout: yield* durationOr("heartbeat.timeout", options.heartbeat?.timeout, Duration.seconds(10))
      }
    const gracePeriod = yield* durationOr("entitiesGracePeriod", options.entitiesGracePeriod, Duration.seconds(5))
    const link = yield* Link.make
    const deadlines = yield* Deadlines.make(layerScope)
    const subscriptions = new Set<LiveSubscription>()

    /** Runs `command` on the live session; a session that ends before the write hands it to the next one. */
    const onSession = <A, E>(
      name: string,
      command: (session: Session) => Effect.Effect<A, E>,
      timeout: Duration.Duration
    ): Effect.Effect<A, Exclude<E, SessionEnded> | Disconnected | CommandTimeout> => {
      const attempt: Effect.Effect<A, Exclude<E, SessionEnded> | Disconnected> = Effect.flatMap(link.session, command)
        .pipe(
          Effect.catchIf((error): error is E & SessionEnded => error instanceof SessionEnded, () => attempt)
        ) as Effect.Effect<A, Exclude<E, SessionEnded> | Disconnected>
      return Effect.timeoutFail(attempt, { duration: timeout, onTimeout: () => new CommandTimeout({ command: name, after: timeout }) })
    }


    /**
     * A command: on a live session it is written at once and its result awaited under a deadline entry (no
     * per-command fibers); while (re)connecting, or if the session ends before the write, it waits for the next
     * session under an ordinary timeout.
     */
    const sendMessage = (message: CommandMessage, commandOptions?: CommandOptions): Effect.Effect<unknown, CommandError> => {
      // Worked out once per Effect, not per run: a command Effect made once and run many times costs nothing here.
      const checked = durationOr("timeout", commandOptions?.timeout, commandTimeout)
      if (Either.isLeft(checked)) return Effect.fail(checked.left)
      const timeout = checked.right
      const name = commandName(message)
      // Not connected, or the session ended before anything was sent: wait for the next session.
      const waiting = () => onSession(name, (next) => Effect.flatMap(next.send(message), (sent) => sent.result), timeout)
      // One Effect op per command on a live session: the write happens as the wait begins, and the session wakes
      // this fiber with the result (a suspend around a second async measured ~310 B more allocated per command).
      return Effect.async<unknown, CommandError>((resume) => {
        const next = link.current?.tryCommand(message, timeout, name, waiting, resume)
        if (next !== registered) resume(next ?? waiting())
      })
    }

    // A heartbeat that gets no pong in time ends the session, which the supervisor then replaces.
    const heartbeatLoop = (session: Session) =>
      heartbeat === undefined ? Effect.void : Effect.sleep(heartbeat.interval).pipe(
        Effect.zipRight(
          Effect.flatMap(session.send({ type: "ping" }), (sent) => sent.result).pipe(
            Effect.timeout(heartbeat.timeout)
          )
        ),
        Effect.forever,
        Effect.catchAll(() => Effect.sync(() => session.end()))
      )

    /** Opens an authenticated session in its own scope, with its reader and heartbeat. */
    const startSession = Effect.gen(function*() {
      const scope = yield* Scope.fork(layerScope, ExecutionStrategy.sequential)
      const session = yield* openSession(client, settings, deadlines).pipe(
        Scope.extend(scope),
        Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
      )
      yield* Effect.forkIn(heartbeatLoop(session), scope)
      return { session, scope }
    })

    const reattach = (session: Session) =>
      Effect.forEach(
        [...subscriptions],
        (subscription) =>
          subscription.attach(session).pipe(
            Effect.flatMap((result) => Effect.timeout(result, commandTimeout)),
            // A session that died again is replaced, and the next one re-attaches this subscription.
            Effect.catchAll((error) =>
              error._tag === "SessionEnded" || error._tag === "ConnectionLost"
                ? Effect.void
                : subscription.mailbox.fail(error as CommandError)
            ),
            Effect.forkIn(layerScope)
          ),
        { discard: true }
      )

    const reconnect = options.reconnect === false ? undefined : options.reconnect ?? defaultReconnectSchedule

    const suspension = new Suspension()
    const supervise = (first: { session: Session; scope: Scope.CloseableScope }) =>
      Effect.gen(function*() {
        let current = first
        while (true) {
          yield* current.session.ended.await
          yield* Scope.close(current.scope, Exit.void)
          yield* suspension.hold
          if (reconnect === undefined) {
            return yield* link.closed(new Disconnected({ reason: "the connection was lost and reconnect is off" }))
          }
          yield* link.waiting("reconnecting")
          const next = yield* startSession.pipe(
            Effect.tapError((error) => Effect.logDebug("Home Assistant: a reconnect attempt failed", error.message)),
            // A rejected token, or a token source that yields no token, fails the same way every time.
            Effect.retry({ schedule: reconnect, while: (error) => error._tag !== "AuthInvalid" && error._tag !== "InvalidOption" }),
            Effect.either
          )
          if (next._tag === "Left") {
            const reason = next.left._tag === "AuthInvalid"
              ? "Home Assistant rejected the access token"
              : next.left._tag === "InvalidOption"
              ? "the access token source yielded no token"
              : "reconnecting gave up"
            yield* Effect.logWarning(`Home Assistant: ${reason}; the client is closed`)
            return yield* link.closed(new Disconnected({ reason }))
          }
          current = next.right
          if (suspension.isSuspended) { // suspended while it reconnected: close this one too, then wait
            current.session.end()
            continue
          }
          yield* reattach(current.session)
          yield* link.connected(current.session)
        }
      })

    const first = yield* startSession
    yield* link.connected(first.session)
    yield* Effect.forkIn(supervise(first), layerScope)
    yield* Effect.addFinalizer(() => link.closed(new Disconnected({ reason: "the client was shut down" })))

    const subscribeWith = (message: CommandMessage, tagged: boolean): Stream.Stream<unknown, CommandError> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        const mailbox = yield* Mailbox.make<unknown, CommandError | InvalidMessage>()
        const subscription = new LiveSubscription(message, mailbox, tagged)
        subscriptions.add(subscription)
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => subscriptions.delete(subscription)).pipe(
            Effect.zipRight(Effect.timeout(subscription.detach, commandTimeout)),
            Effect.ignore
          )
        )
        yield* onSession(
          commandName(message),
          (session) =>
            // Lost with its session (while writing or awaiting the result): the supervisor re-attaches it on the
            // next one.
            Effect.flatMap(subscription.attach(session), (result) => result).pipe(
              Effect.catchTag("ConnectionLost", () => Effect.void)
            ),
          commandTimeout
        )
        return Mailbox.toStream(mailbox)
      })) as Stream.Stream<unknown, CommandError>
    const subscribeMessage = (message: CommandMessage) => subscribeWith(message, false)
    const reconnected = link.state.changes.pipe(
      Stream.changes,
      Stream.filter((state) => state === "connected"),
      Stream.drop(1),
      Stream.as(undefined)
    )
    const entityStore = yield* makeEntityStore(
      (message) => subscribeWith(message, true) as Stream.Stream<SessionEvent, CommandError>,
      gracePeriod,
      {
        isLegacy: Effect.map(link.session, (session) => versionBefore(session.haVersion, 2022, 4)),
        getStates: sendMessage({ type: "get_states" }) as Effect.Effect<ReadonlyArray<HassEntity>, CommandError>,
        reconnected
      }
    )
    const collections = yield* makeCollections({
      sendMessage: (message) => sendMessage(message),
      subscribeEvents: (eventType) => subscribeMessage(subscribeEventsMessage(eventType)) as Stream.Stream<HassEvent, CommandError>,
      reconnected
    }, gracePeriod)
    const started = yield* makeStartedCount(
      (eventType) => subscribeMessage(subscribeEventsMessage(eventType)),
      gracePeriod
    )

    return HomeAssistant.of({
      haVersion: Effect.map(link.session, (session) => session.haVersion),
      connectionState: link.state.get,
      connectionStates: link.state.changes,
      sendMessage: sendMessage as (m: CommandMessage, o?: CommandOptions) => Effect.Effect<unknown, CommandError>,
      callService: (domain, service, serviceData, target, callOptions) =>
        sendMessage(callServiceMessage(domain, service, serviceData, target, callOptions?.returnResponse), callOptions) as
          Effect.Effect<CallServiceResult, CommandError>,
      getStates: (o) => sendMessage({ type: "get_states" }, o) as Effect.Effect<ReadonlyArray<HassEntity>, CommandError>,
      getConfig: (o) => sendMessage({ type: "get_config" }, o) as Effect.Effect<Readonly<Record<string, unknown>>, CommandError>,
      getServices: (o) => sendMessage({ type: "get_services" }, o) as Effect.Effect<Readonly<Record<string, unknown>>, CommandError>,
      ping: (o) =>
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          yield* sendMessage({ type: "ping" }, o)
          return Duration.millis((yield* Clock.currentTimeMillis) - start)
        }) as Effect.Effect<Duration.Duration, CommandError>,
      subscribeEvents: (eventType) =>
        subscribeMessage(subscribeEventsMessage(eventType)) as Stream.Stream<HassEvent, CommandError>,
      subscribeMessage,
      entities: entityStore.entities,
      currentEntities: entityStore.currentEntities,
      entity: entityStore.entity,
      entitiesWith: entityStore.entitiesWith,
      ...collections,
      renderTemplate: renderTemplate(subscribeMessage),
      subscribeTrigger: subscribeTrigger(subscribeMessage, started),
      suspend: suspension.suspend(link),
      resume: suspension.resume
    })
  })

/** The client over the context's `WebSocketClient`. Building it connects and authenticates once. */
export const layer = (
  options: HomeAssistantOptions
): Layer.Layer<HomeAssistant, HomeAssistantStartError, WebSocketClient> => Layer.scoped(HomeAssistant, make(options))
