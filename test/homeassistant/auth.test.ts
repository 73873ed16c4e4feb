import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Redacted, TestClock } from "effect"
import WebSocket from "ws"
import {
  AuthInvalid,
  CommandTimeout,
  HomeAssistantLayer,
  InsecureConnection,
  InvalidOption,
  WebSocketClientLive
} from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { connect, eventually, TOKEN } from "./kit.js"

const build = (url: string, accessToken: string | Redacted.Redacted<string>) =>
  Layer.build(HomeAssistantLayer({ url, accessToken }).pipe(Layer.provide(WebSocketClientLive)))

describe("Home Assistant authentication", () => {
  it.scoped("auth_ok: the client is connected and knows the HA version; an http:// URL is accepted", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      expect(yield* ha.haVersion).toBe("2026.1.2")
      expect(yield* ha.connectionState).toBe("connected")
      expect(sim.received[0]?.message).toStrictEqual({
        type: "supported_features",
        features: { coalesce_messages: 1 },
        id: 1
      })
    }))

  it.scoped("the ws://…/api/websocket form works too, with the token given as Redacted", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      const context = yield* build(sim.url, Redacted.make(TOKEN))
      expect(context).toBeDefined()
    }))

  it.scoped("auth_invalid fails with AuthInvalid and does not retry", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      const exit = yield* Effect.exit(build(sim.httpUrl, "wrong-token"))
      expect(exit).toStrictEqual(Exit.fail(new AuthInvalid({ reason: "Invalid access token or password" })))
      yield* TestClock.adjust("10 minutes")
      expect(sim.acceptedCount).toBe(1)
    }))

  it.scoped("a server that never answers auth times out after the auth timeout (Effect clock)", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN, authTimeout: "1 hour" })
      yield* sim.setAnswerAuth(false)
      const fiber = yield* Effect.fork(build(sim.httpUrl, TOKEN))
      yield* eventually(() => sim.connectionCount === 1, "the connection")
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new CommandTimeout({ command: "auth", after: Duration.seconds(10) }))
      )
    }))

  it.scoped("the simulator disconnects a client that does not authenticate within 10 seconds", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make()
      const raw = new WebSocket(sim.url)
      const frames: Array<string> = []
      let closed = false
      raw.on("message", (data) => frames.push(String(data)))
      raw.on("close", () => (closed = true))
      yield* eventually(() => frames.length === 1, "auth_required")
      expect(JSON.parse(frames[0] ?? "")).toStrictEqual({ type: "auth_required", ha_version: "2026.1.2" })
      yield* TestClock.adjust("9 seconds")
      expect(closed).toBe(false)
      yield* TestClock.adjust("1 second")
      yield* eventually(() => closed, "the close")
    }))

  it.scoped("a duration option out of range fails the layer with InvalidOption before anything connects", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      const bad = [
        [{ commandTimeout: -1 }, "commandTimeout"],
        [{ authTimeout: "soon" }, "authTimeout"],
        [{ heartbeat: { interval: Number.NaN } }, "heartbeat.interval"],
        [{ entitiesGracePeriod: "-5 seconds" }, "entitiesGracePeriod"]
      ] as const
      for (const [options, option] of bad) {
        const layer = HomeAssistantLayer({ url: sim.httpUrl, accessToken: TOKEN, ...(options as object) })
        const error = yield* Effect.flip(Effect.scoped(Layer.build(layer.pipe(Layer.provide(WebSocketClientLive)))))
        expect(error).toBeInstanceOf(InvalidOption)
        expect((error as InvalidOption).option).toBe(option)
      }
      expect(sim.count("auth")).toBe(0)
    }))

  it.scoped("a token that is not a string, given as it is or by a token source, is InvalidOption before anything connects", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      for (const accessToken of [null, 5, {}, Effect.succeed(5), Effect.succeed(Redacted.make(7))]) {
        const layer = HomeAssistantLayer({ url: sim.httpUrl, accessToken: accessToken as never })
        const error = yield* Effect.flip(Effect.scoped(Layer.build(layer.pipe(Layer.provide(WebSocketClientLive)))))
        expect(error).toStrictEqual(
          new InvalidOption({ option: "accessToken", reason: "expected a string, a Redacted string or an Effect yielding one" })
        )
      }
      expect(sim.count("auth")).toBe(0)
    }))

  it.scoped("a per-call timeout out of range is InvalidOption, and the command is not sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const before = sim.received.length
      for (const timeout of [-1, "soon", Number.NaN, {}]) {
        const error = yield* Effect.flip(ha.callService("light", "turn_on", undefined, undefined, { timeout: timeout as never }))
        expect(error).toBeInstanceOf(InvalidOption)
        expect((error as InvalidOption).option).toBe("timeout")
      }
      expect(sim.received.length).toBe(before)
      expect(yield* ha.getStates({ timeout: "5 seconds" })).toHaveLength(6)
    }))

  it.effect("refuses to send the token over plain ws:// to a host that is not this machine", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.scoped(build("http://192.0.2.10:8123", TOKEN)) // TEST-NET address: refused before any connect
      )
      expect(exit).toStrictEqual(Exit.fail(new InsecureConnection({ host: "192.0.2.10" })))
    }))
})
