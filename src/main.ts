/**
 * `npm start`: a short Home Assistant demo through this library. By default it starts the simulator in-process on
 * 127.0.0.1 and drives it; with HASS_URL and HASS_TOKEN set it runs the read-only part against that Home Assistant.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import {
  type HassEntity,
  HomeAssistant,
  HomeAssistantLayer,
  websocketGateway,
  websocketRequest,
  WebSocketClient,
  WebSocketClientLive
} from "./index.js"
import { HomeAssistantSimulator } from "./testing/index.js"

const row = (label: string, text: string) => Console.log(`  ${label.padEnd(14)} ${text}`)

const describeLight = (light: HassEntity) => {
  const brightness = light.attributes.brightness
  return `${light.entity_id.padEnd(20)} ${light.state.padEnd(4)}${typeof brightness === "number" ? ` brightness ${brightness}` : ""}`
    .trimEnd()
}

/** The part that only reads: version, lights, a state_changed subscription. */
const readOnly = (waitForEvent: Duration.DurationInput) =>
  Effect.gen(function*() {
    const ha = yield* HomeAssistant
    yield* row("connected", `Home Assistant ${yield* ha.haVersion}`)
    const lights = (yield* ha.getStates()).filter((state) => state.entity_id.startsWith("light."))
    yield* Effect.forEach(lights, (light, i) => row(i === 0 ? "lights" : "", describeLight(light)))
    if (lights.length === 0) yield* row("lights", "(none)")
    const firstEvent = yield* Effect.fork(
      ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runCollect, Effect.timeout(waitForEvent), Effect.option)
    )
    yield* row("subscribed", "state_changed")
    yield* row("ping", `${Duration.toMillis(yield* ha.ping())} ms`)
    return { lights, firstEvent }
  })

const printEvent = (events: Option.Option<Chunk.Chunk<{ readonly data: Readonly<Record<string, unknown>> }>>) => {
  const event = Option.flatMap(events, Chunk.head)
  if (Option.isNone(event)) return row("event", "none arrived in time")
  const data = event.value.data as { entity_id?: string; old_state?: HassEntity | null; new_state?: HassEntity }
  return row("event", `${data.entity_id ?? "?"}  ${data.old_state?.state ?? "—"} → ${data.new_state?.state ?? "—"}`)
}

const printStats = Effect.gen(function*() {
  const stats = yield* (yield* WebSocketClient).getStats
  yield* row(
    "stats",
    `${stats.connectionsOpened} opened, ${stats.connectionsClosed} closed, ${stats.messagesSent} sent, ` +
      `${stats.messagesReceived} received, ${stats.errors} errors`
  )
})

/** The live entity store: the kitchen light as the store sees it while a service call turns it off. */
const liveStore = Effect.gen(function*() {
  const ha = yield* HomeAssistant
  const kitchen = yield* Effect.fork(ha.entity("light.kitchen").pipe(
    Stream.takeUntil((light) => light?.state === "off"),
    Stream.runCollect,
    Effect.timeout("5 seconds"),
    Effect.option
  ))
  const all = yield* ha.entities.pipe(Stream.runHead, Effect.map(Option.getOrElse(() => ({}))))
  yield* ha.callService("light", "turn_off", undefined, { entity_id: "light.kitchen" })
  const seen = Option.match(yield* Fiber.join(kitchen), { onNone: () => "no change in time", onSome: (lights) => Chunk.toReadonlyArray(lights).map((light) => light?.state ?? "—").join(" → ") })
  yield* row("entities", `${Object.keys(all).length} live; light.kitchen ${seen}`)
})

/** Against the simulator: everything, including turning a light on and a gateway call. */
const simulatorDemo = Effect.gen(function*() {
  const sim = yield* HomeAssistantSimulator.make({ accessToken: "demo-token" })
  yield* Console.log(`Home Assistant demo — simulator at ${sim.url}`)
  const layer = HomeAssistantLayer({ url: sim.httpUrl, accessToken: Redacted.make("demo-token") }).pipe(
    Layer.provideMerge(WebSocketClientLive)
  )
  yield* Effect.gen(function*() {
    const ha = yield* HomeAssistant
    const { firstEvent, lights } = yield* readOnly("5 seconds")
    const target = lights.find((light) => light.state === "off") ?? lights[0]
    if (target !== undefined) {
      yield* ha.callService("light", "turn_on", undefined, { entity_id: target.entity_id })
      yield* row("call_service", `light.turn_on → ${target.entity_id}`)
    }
    yield* printEvent(yield* Fiber.join(firstEvent))
    yield* liveStore
    yield* printStats
  }).pipe(Effect.provide(layer))
  // The same server through the dispatch interface: a raw request's reply is HA's first frame.
  const reply = yield* websocketRequest({ url: sim.url, message: { type: "ping" }, timeout: 5 }).pipe(
    Effect.provide(websocketGateway(WebSocketClientLive))
  )
  yield* row("gateway", `websocket.request → ${JSON.stringify(reply)}`)
})

/** Against a real Home Assistant: read-only. */
const liveDemo = (url: string, token: Redacted.Redacted<string>, allowInsecure: boolean) =>
  Effect.gen(function*() {
    yield* Console.log(`Home Assistant demo — ${url} (read-only)`)
    yield* Effect.gen(function*() {
      const { firstEvent } = yield* readOnly("10 seconds")
      yield* printEvent(yield* Fiber.join(firstEvent))
      yield* printStats
    }).pipe(
      Effect.provide(HomeAssistantLayer({ url, accessToken: token, allowInsecure }).pipe(Layer.provideMerge(WebSocketClientLive))),
      // The library's refusal names its option; here the environment variable is what to set.
      Effect.catchTag("InsecureConnection", ({ host }) =>
        Effect.fail(new Error(`refusing to send the token unencrypted to ${host}: use https://, or set HASS_ALLOW_INSECURE=1`)))
    )
  })

const program = Effect.gen(function*() {
  const url = yield* Config.option(Config.string("HASS_URL"))
  const token = yield* Config.option(Config.redacted("HASS_TOKEN"))
  // HASS_ALLOW_INSECURE=1: a plain http:// Home Assistant on another machine (a LAN install without TLS).
  const allowInsecure = yield* Config.withDefault(Config.boolean("HASS_ALLOW_INSECURE"), false)
  if (Option.isSome(url) && Option.isSome(token)) yield* liveDemo(url.value, token.value, allowInsecure)
  else yield* simulatorDemo
  yield* Console.log("\nNext, the command line: npm run cli -- ha states --simulator (installed: npx effect-ws-gateway --help)")
})

// Through runMain: Ctrl-C (SIGINT) or SIGTERM interrupts the program, so every scope closes and each connection
// sends its close frame before the process exits with 130; a failure is one line on stderr and exit code 1.
NodeRuntime.runMain(
  Effect.scoped(program).pipe(
    Effect.tapError((error) => Console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`))
  ),
  {
    disableErrorReporting: true,
    teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? 0 : Cause.isInterruptedOnly(exit.cause) ? 130 : 1)
  }
)
