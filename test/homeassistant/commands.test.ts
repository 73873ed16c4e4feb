import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Fiber, Layer, Stream, TestClock } from "effect"
import net from "node:net"
import WebSocket from "ws"
import { WebSocketTransport } from "../../src/core/Transport.js"
import { clientOn } from "../../src/defaults.js"
import { CommandTimeout, HomeAssistant, HomeAssistantError, HomeAssistantLayer, InvalidMessage } from "../../src/index.js"
import { NodeTransportLive } from "../../src/node.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { connect, eventually, TOKEN } from "./kit.js"

describe("Home Assistant commands", () => {
  it.scoped("get_states, get_config and get_services come from the seeded home", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const states = yield* ha.getStates()
      expect(states.map((s) => s.entity_id)).toStrictEqual([
        "light.living_room",
        "light.kitchen",
        "light.bedroom",
        "switch.coffee_maker",
        "sensor.outdoor_temperature",
        "weather.home"
      ])
      expect(states[0]).toMatchObject({ state: "off", attributes: { friendly_name: "Living Room" } })
      expect(yield* ha.getConfig()).toMatchObject({ location_name: "Simulated Home", version: "2026.1.2" })
      expect(Object.keys(yield* ha.getServices())).toContain("light")
    }))

  it.scoped("callService changes state and resolves with the call's context", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const result = yield* ha.callService("light", "turn_on", { brightness: 120 }, { entity_id: "light.bedroom" })
      expect(result.context).toMatchObject({ parent_id: null, user_id: "simulated-user" })
      expect(result.context.id).toHaveLength(26)
      expect(result.response).toBeUndefined()
      expect(sim.states.find((s) => s.entity_id === "light.bedroom")).toMatchObject({
        state: "on",
        attributes: { brightness: 120 }
      })
      expect(sim.received.at(-1)?.message).toStrictEqual({
        type: "call_service",
        domain: "light",
        service: "turn_on",
        service_data: { brightness: 120 },
        target: { entity_id: "light.bedroom" },
        id: 2
      })
    }))

  it.scoped("returnResponse brings back the service's response", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const result = yield* ha.callService("weather", "get_forecasts", { type: "hourly" }, { entity_id: "weather.home" }, {
        returnResponse: true
      })
      expect(result.response).toStrictEqual({ "weather.home": { forecast: [{ condition: "cloudy", temperature: 12 }] } })
    }))

  it.scoped("HA errors carry code, message and translation fields", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      expect(yield* Effect.flip(ha.callService("light", "fly"))).toStrictEqual(
        new HomeAssistantError({
          code: "not_found",
          message: "Action light.fly not found.",
          translationKey: "service_not_found",
          translationDomain: "homeassistant",
          translationPlaceholders: { domain: "light", service: "fly" }
        })
      )
      expect(yield* Effect.flip(ha.callService("weather", "get_forecasts", {}, { entity_id: "weather.home" })))
        .toStrictEqual(
          new HomeAssistantError({
            code: "service_validation_error",
            message: "Validation error: The action requires responses and must be called with return_response=True",
            translationKey: "service_lacks_response_request",
            translationDomain: "homeassistant",
            translationPlaceholders: { return_response: "return_response=True" }
          })
        )
      expect(yield* Effect.flip(ha.sendMessage({ type: "frobnicate" }))).toStrictEqual(
        new HomeAssistantError({ code: "unknown_command", message: "Unknown command." })
      )
      expect(yield* Effect.flip(ha.sendMessage({ type: "call_service" }))).toMatchObject({
        _tag: "HomeAssistantError",
        code: "invalid_format"
      })
      expect(yield* Effect.flip(ha.sendMessage({ type: "unsubscribe_events", subscription: 999 }))).toStrictEqual(
        new HomeAssistantError({ code: "not_found", message: "Subscription not found." })
      )
    }))

  it.scoped("a command the server never answers fails with CommandTimeout after its own timeout", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ commandTimeout: "5 seconds" })
      yield* sim.setReplyDelay(Duration.infinity)
      const fiber = yield* Effect.fork(ha.getStates({ timeout: "2 seconds" }))
      yield* eventually(() => sim.count("get_states") === 1, "get_states")
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new CommandTimeout({ command: "get_states", after: Duration.seconds(2) }))
      )
    }))

  it.scoped("a caller interrupted while its command waits: the late result is ignored, its entry goes, the next call works", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ commandTimeout: "5 seconds" })
      yield* sim.setReplyDelay("1 second")
      const abandoned = yield* Effect.fork(ha.getConfig())
      yield* eventually(() => sim.count("get_config") === 1, "get_config")
      expect(yield* Fiber.interrupt(abandoned)).toSatisfy(Exit.isInterrupted)
      const next = yield* Effect.fork(ha.getStates())
      yield* eventually(() => sim.count("get_states") === 1, "get_states")
      yield* TestClock.adjust("1 second") // both results arrive: the abandoned one finds nobody waiting
      expect(yield* Fiber.join(next)).toHaveLength(6)
      // Past the abandoned command's deadline nothing fires for it, and the session still works.
      yield* TestClock.adjust("5 seconds")
      yield* sim.setReplyDelay(Duration.zero)
      expect(yield* ha.ping()).toStrictEqual(Duration.zero)
      expect(sim.received.map((r) => r.message.id)).toStrictEqual(sim.received.map((_, i) => i + 1))
    }))

  it.scoped("a message that cannot be serialised is InvalidMessage and nothing is sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const before = sim.received.length
      const error = yield* Effect.flip(ha.callService("light", "turn_on", { brightness: 10n }))
      expect(error).toStrictEqual(new InvalidMessage({ reason: "a BigInt has no JSON form" }))
      expect(sim.received.length).toBe(before)
      expect(yield* ha.getStates()).toHaveLength(6)
    }))

  it.scoped("a command that is not a plain object is InvalidMessage, nothing is sent, and the ids stay consecutive", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const before = sim.received.length
      class Command {
        readonly type = "get_config"
      }
      for (const message of [new Command(), ["get_config"], "get_config", null]) {
        const error = yield* Effect.flip(ha.sendMessage(message as never))
        expect(error).toStrictEqual(new InvalidMessage({ reason: "a command must be a plain object" }))
      }
      const subscribed = yield* Effect.flip(Stream.runHead(ha.subscribeMessage(null as never)))
      expect(subscribed).toStrictEqual(new InvalidMessage({ reason: "a command must be a plain object" }))
      expect(sim.received.length).toBe(before)
      yield* ha.sendMessage({ type: "get_config" })
      expect(sim.received.at(-1)?.message).toStrictEqual({ type: "get_config", id: 2 })
    }))

  it.scoped("ping reports the round-trip time on the Effect clock", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setReplyDelay("250 millis")
      const fiber = yield* Effect.fork(ha.ping())
      yield* eventually(() => sim.count("ping") === 1, "ping")
      yield* TestClock.adjust("250 millis")
      expect(yield* Fiber.join(fiber)).toStrictEqual(Duration.millis(250))
    }))

  it.scoped("100 concurrent commands from different fibers reach the wire with strictly increasing ids", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const results = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => i % 2 === 0 ? ha.ping() : ha.sendMessage({ type: "get_config" }),
        { concurrency: "unbounded" }
      )
      expect(results).toHaveLength(100)
      const ids = sim.received.map((r) => r.message.id as number)
      expect(ids).toStrictEqual(Array.from({ length: ids.length }, (_, i) => i + 1))
      expect(sim.count("ping") + sim.count("get_config")).toBe(100)
    }))

  it.scoped("the HA connection coalesces writes: 100 concurrent commands leave in a few socket writes, in id order", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      const asked: Array<boolean | undefined> = []
      const writes: Array<number> = []
      // The Node transport, recording what each connection asked for and counting the frames in each socket write.
      const recording = Layer.effect(
        WebSocketTransport,
        Effect.map(WebSocketTransport, (node) =>
          WebSocketTransport.of({
            ...node,
            open: (request, events) => {
              asked.push(request.coalesceWrites)
              return node.open(request, events)
            }
          }))
      ).pipe(Layer.provide(NodeTransportLive))
      const context = yield* Layer.build(
        HomeAssistantLayer({ url: sim.httpUrl, accessToken: TOKEN, heartbeat: false }).pipe(
          Layer.provide(clientOn(recording))
        )
      )
      const ha = Context.get(context, HomeAssistant)
      const before = sim.received.length
      // Only the client's socket: the simulator's own socket in this process writes too.
      const original = net.Socket.prototype._writev as NonNullable<net.Socket["_writev"]>
      net.Socket.prototype._writev = function(this: net.Socket, chunks, callback) {
        if (this.remotePort === sim.port) writes.push(chunks.length)
        return original.call(this, chunks, callback)
      }
      yield* Effect.addFinalizer(() => Effect.sync(() => (net.Socket.prototype._writev = original)))
      yield* Effect.forEach(Array.from({ length: 100 }), () => ha.ping(), { concurrency: "unbounded", discard: true })
      expect(asked).toStrictEqual([true])
      const ids = sim.received.slice(before).map((r) => r.message.id as number)
      expect(ids).toHaveLength(100)
      expect(ids.every((id, i) => i === 0 || id === (ids[i - 1] as number) + 1)).toBe(true)
      // each frame is two chunks (header, payload); 100 frames leave in batches of at most 32 frames
      expect(writes.length).toBeGreaterThan(0)
      expect(writes.length).toBeLessThanOrEqual(10)
      expect(Math.max(...writes)).toBeLessThanOrEqual(64)
    }))

  it.scoped("a message that carries its own id is sent with the session's id, and only that one", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* ha.sendMessage({ type: "get_config", id: 999 } as never)
      yield* ha.sendMessage({ type: "get_config" })
      // id 1 went to supported_features
      expect(sim.received.slice(-2).map((r) => r.message)).toStrictEqual([
        { type: "get_config", id: 2 },
        { type: "get_config", id: 3 }
      ])
    }))

  it.scoped("the simulator answers a repeated id with id_reuse and a malformed message with invalid_format", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
      const raw = new WebSocket(sim.url)
      const frames: Array<unknown> = []
      raw.on("message", (data) => frames.push(JSON.parse(String(data))))
      yield* eventually(() => frames.length === 1, "auth_required")
      raw.send(JSON.stringify({ type: "auth", access_token: "t" }))
      yield* eventually(() => frames.length === 2, "auth_ok")
      raw.send(JSON.stringify({ id: 5, type: "ping" }))
      raw.send(JSON.stringify({ id: 5, type: "ping" }))
      raw.send(JSON.stringify({ type: "ping" }))
      raw.send("not json")
      yield* eventually(() => frames.length === 6, "four answers")
      expect(frames.slice(1)).toStrictEqual([
        { type: "auth_ok", ha_version: "2026.1.2" },
        { id: 5, type: "pong" },
        { id: 5, type: "result", success: false, error: { code: "id_reuse", message: "Identifier values have to increase." } },
        { id: null, type: "result", success: false, error: { code: "invalid_format", message: "Message incorrectly formatted." } },
        { id: null, type: "result", success: false, error: { code: "invalid_format", message: "Message incorrectly formatted." } }
      ])
      raw.terminate()
    }))
})
