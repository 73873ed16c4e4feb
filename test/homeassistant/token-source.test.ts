// accessToken as an Effect: run before every connect and reconnect, so a rotating token store just works.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Context, Schedule, TestClock } from "effect"
import { AuthInvalid, HomeAssistant, HomeAssistantLayer, TokenUnavailable, WebSocketClientLive } from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { eventually, reachState, reconnected } from "./kit.js"

const start = (sim: HomeAssistantSimulator, accessToken: Effect.Effect<string, AuthInvalid | TokenUnavailable>) =>
  Effect.map(
    Layer.build(
      HomeAssistantLayer({ url: sim.httpUrl, accessToken, reconnect: Schedule.spaced("5 seconds") }).pipe(
        Layer.provide(WebSocketClientLive)
      )
    ),
    (context) => Context.get(context, HomeAssistant)
  )

describe("Home Assistant accessToken as an Effect", () => {
  it.scoped("it runs before every connect: a token rotated while connected is used on the reconnect", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "token-1" })
      let current = "token-1"
      let runs = 0
      const ha = yield* start(sim, Effect.sync(() => (runs++, current)))
      expect(runs).toBe(1)
      current = "token-2"
      yield* sim.setAccessToken("token-2")
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      expect(runs).toBe(2)
      expect((yield* ha.getStates()).length).toBeGreaterThan(0)
    }))

  it.scoped("TokenUnavailable on a reconnect is retried on the schedule; the next token connects", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
      let unavailable = false
      const ha = yield* start(sim, Effect.suspend(() =>
        unavailable ? Effect.fail(new TokenUnavailable({ reason: "the token store is offline" })) : Effect.succeed("t")
      ))
      unavailable = true
      yield* sim.dropAll
      yield* eventually(() => sim.connectionCount === 0, "the drop")
      yield* reachState(ha, "reconnecting")
      yield* TestClock.adjust("5 seconds")
      expect(sim.acceptedCount).toBe(1) // no token, no connection attempt
      unavailable = false
      yield* TestClock.adjust("5 seconds")
      yield* reconnected(ha, sim, 2)
    }))

  it.scoped("AuthInvalid from the token source fails the layer, without connecting", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
      const error = yield* Effect.flip(start(sim, Effect.fail(new AuthInvalid({ reason: "the refresh token was revoked" }))))
      expect(error).toStrictEqual(new AuthInvalid({ reason: "the refresh token was revoked" }))
      expect(sim.acceptedCount).toBe(0)
    }))
})
