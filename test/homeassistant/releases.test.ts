// Home Assistant releases since 2021, as the simulator answers them: a command a release lacks is `unknown_command`,
// as that release answers it, so the client must pick by `ha_version` (as HAWS does) or fail visibly here.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, Stream } from "effect"
import { HomeAssistantError } from "../../src/index.js"
import { connect, eventually } from "./kit.js"

const collect = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.tap(Queue.unbounded<A>(), (queue) => Effect.forkScoped(Stream.runForEach(stream, (a) => Queue.offer(queue, a))))

describe("every Home Assistant release since 2021", () => {
  it.scoped.each([
    { release: "2021.12.10", features: false, subscribeEntities: false },
    { release: "2022.3.8", features: false, subscribeEntities: false },
    { release: "2022.8.7", features: false, subscribeEntities: true },
    { release: "2026.1.2", features: true, subscribeEntities: true }
  ])("$release: connects, commands and the live entity store work; supported_features only where HA has it", ({ release, features, subscribeEntities }) =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({}, { haVersion: release })
      expect(yield* ha.haVersion).toBe(release)
      const lights = (yield* ha.getStates()).filter((state) => state.entity_id.startsWith("light."))
      expect(lights.length).toBe(3)
      yield* ha.callService("light", "turn_off", undefined, { entity_id: "light.kitchen" })
      const maps = yield* collect(ha.entities)
      expect((yield* Queue.take(maps))["light.kitchen"]?.state).toBe("off")
      yield* sim.setState("light.kitchen", "on")
      expect((yield* Queue.take(maps))["light.kitchen"]?.state).toBe("on")
      // What crossed the wire is what that release has: no unknown_command was provoked.
      expect(sim.count("supported_features")).toBe(features ? 1 : 0)
      expect(sim.count("subscribe_entities")).toBe(subscribeEntities ? 1 : 0)
      if (!subscribeEntities) yield* eventually(() => sim.count("subscribe_events") === 1, "the state_changed subscription")
    }))

  it.scoped("the simulator answers what a release lacks with unknown_command, as that release does", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({}, { haVersion: "2022.3.8" })
      for (const type of ["supported_features", "subscribe_entities", "config/entity_registry/list_for_display"]) {
        expect(yield* Effect.flip(ha.sendMessage({ type }))).toStrictEqual(
          new HomeAssistantError({ code: "unknown_command", message: "Unknown command." })
        )
      }
    }))
})
