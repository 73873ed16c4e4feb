// Home Assistant releases since 2021, as the simulator answers them: a command a release lacks is `unknown_command`,
// as that release answers it, so the client must pick by `ha_version` (as HAWS does) or fail visibly here.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Queue, Stream } from "effect"
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

  it.scoped("entityRegistry before 2023.3 (no list_for_display) is made from config/entity_registry/list, as HA makes it", () =>
    Effect.gen(function*() {
      const older = yield* connect({}, { haVersion: "2023.2.5" })
      const display = yield* Stream.runHead(older.ha.entityRegistry)
      const entities = Option.getOrThrow(display).entities
      // enabled entities only: the disabled sensor.old_meter is left out, as list_for_display leaves it out
      expect(entities.map((e) => e.ei).sort()).toStrictEqual(older.sim.states.map((s) => s.entity_id).sort())
      expect(entities[0]).toMatchObject({ pl: "simulated" })
      expect([older.sim.count("config/entity_registry/list"), older.sim.count("config/entity_registry/list_for_display")]).toStrictEqual([1, 0])
      const newer = yield* connect({}, { haVersion: "2023.3.0" })
      yield* Stream.runHead(newer.ha.entityRegistry)
      expect([newer.sim.count("config/entity_registry/list"), newer.sim.count("config/entity_registry/list_for_display")]).toStrictEqual([0, 1])
    }))

  it.scoped("entitiesWith before 2022.4 (no subscribe_entities) filters the get_states + state_changed store by HA's rules", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({}, { haVersion: "2022.3.8" })
      const lights = yield* collect(ha.entitiesWith({ include: { domains: ["light"] }, exclude: { entities: ["light.bedroom"] } }))
      expect(Object.keys(yield* Queue.take(lights)).sort()).toStrictEqual(["light.kitchen", "light.living_room"])
      yield* eventually(() => sim.count("subscribe_events") >= 1, "the state_changed subscription")
      yield* sim.setState("switch.coffee_maker", "on") // left out by the filter: no new map
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(lights))["light.kitchen"]?.state).toBe("off")
      expect(yield* Queue.size(lights)).toBe(0)
      expect(sim.count("subscribe_entities")).toBe(0)
    }))

  // Each command, on the last release without it (unknown_command) and on the first with it (known: answered, or
  // refused for its missing arguments, never unknown_command).
  it.scoped.each([
    ["history/history_during_period", "2022.4.7", "2022.5.0"],
    ["logbook/event_stream", "2022.5.5", "2022.6.0"],
    ["recorder/statistics_during_period", "2022.9.7", "2022.10.0"],
    ["history/stream", "2023.1.7", "2023.2.0"],
    ["assist_pipeline/run", "2023.4.6", "2023.5.0"],
    ["assist_pipeline/pipeline/list", "2023.4.6", "2023.5.0"],
    ["config/floor_registry/list", "2024.3.3", "2024.4.0"],
    ["execute_script", "2021.3.4", "2021.4.0"],
    ["fire_event", "2022.1.7", "2022.2.0"],
    ["validate_config", "2022.2.9", "2022.3.0"],
    ["integration/wait", "2025.4.4", "2025.5.0"]
  ] as const)("%s: unknown_command on %s, known from %s", ([type, without, since]) =>
    Effect.gen(function*() {
      const older = yield* connect({}, { haVersion: without })
      expect(yield* Effect.flip(older.ha.sendMessage({ type }))).toMatchObject({ _tag: "HomeAssistantError", code: "unknown_command" })
      const newer = yield* connect({}, { haVersion: since })
      const outcome = yield* Effect.either(newer.ha.sendMessage({ type, domain: "history" }))
      if (outcome._tag === "Left") expect(outcome.left).not.toMatchObject({ code: "unknown_command" })
      else expect(outcome.right).toBeDefined()
    }))
})
