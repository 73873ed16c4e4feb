// The README's Home Assistant example, run against the simulator (only the URL and token differ).
import { expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { HomeAssistant, HomeAssistantLive } from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

it.live("README: the Home Assistant example", () =>
  Effect.gen(function*() {
    const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
    // events to receive: one every 10 ms of real time, stopped with the scope
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep("10 millis"), sim.fireEvent("state_changed", {}))))
    const program = Effect.gen(function*() {
      const ha = yield* HomeAssistant
      const lights = (yield* ha.getStates()).filter((s) => s.entity_id.startsWith("light."))
      yield* ha.callService("light", "turn_on", { brightness: 200 }, { entity_id: "light.kitchen" })
      // A Stream: re-subscribed after every reconnect; ending it sends unsubscribe_events.
      yield* ha.subscribeEvents("state_changed").pipe(Stream.take(5), Stream.runForEach(Effect.log))
      yield* ha.entity("light.kitchen").pipe(Stream.take(1), Stream.runForEach((light) => Effect.log(light?.state))) // live
      return lights
    })
    const lights = yield* program.pipe(Effect.provide(HomeAssistantLive({ url: sim.httpUrl, accessToken: "t" })))
    expect(lights).toHaveLength(3)
  }).pipe(Effect.scoped))
