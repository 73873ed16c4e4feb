// The simulator's subscribe_entities, read through the client's subscribeMessage and expanded by
// applyEntitiesEvent: after every kind of change the expanded store equals the simulator's own states.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue, Stream, TestClock } from "effect"
import { applyEntitiesEvent, type HassEntities } from "../../src/homeassistant/compressedState.js"
import { connect, eventually, truth } from "../homeassistant/kit.js"


describe("HomeAssistantSimulator: subscribe_entities", () => {
  it.scoped("sends HA's compressed snapshot, then a diff, an addition and a removal per change", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* Queue.unbounded<unknown>()
      let store: HassEntities = {}
      const skipped: Array<string> = []
      const subscription = yield* ha.subscribeMessage({ type: "subscribe_entities" }).pipe(
        Stream.runForEach((event) => Effect.sync(() => {
          const update = applyEntitiesEvent(store, event)
          store = update.entities
          skipped.push(...update.skipped)
        }).pipe(Effect.zipRight(Queue.offer(events, event)))),
        Effect.fork
      )
      const next = Queue.take(events)
      const snapshot = (yield* next) as { a: Record<string, { s: string; c: unknown; lc: number }> }
      expect(Object.keys(snapshot.a).sort()).toStrictEqual(sim.states.map((s) => s.entity_id).sort())
      expect(snapshot.a["light.kitchen"]).toMatchObject({ s: "on", a: { brightness: 180 } })
      expect(typeof snapshot.a["light.kitchen"]?.c).toBe("string") // a bare context id: parent and user are null
      expect(store).toStrictEqual(truth(sim.states))

      yield* TestClock.adjust("1 second") // so the change has a new last_changed: lc = 1 (epoch seconds)
      yield* ha.callService("light", "turn_on", { brightness: 90 }, { entity_id: "light.living_room" })
      expect(yield* next).toStrictEqual({
        c: {
          "light.living_room": {
            "+": { s: "on", lc: 1, c: { user_id: "simulated-user", id: expect.any(String) }, a: { brightness: 90 } }
          }
        }
      })
      expect(store).toStrictEqual(truth(sim.states))

      yield* sim.setState("sensor.humidity", "40", { unit_of_measurement: "%" })
      expect(yield* next).toMatchObject({ a: { "sensor.humidity": { s: "40", a: { unit_of_measurement: "%" } } } })
      yield* sim.setState("sensor.humidity", "41", {})
      expect(yield* next).toMatchObject({ c: { "sensor.humidity": { "+": { s: "41" }, "-": { a: ["unit_of_measurement"] } } } })
      yield* sim.removeEntity("light.bedroom")
      expect(yield* next).toStrictEqual({ r: ["light.bedroom"] })
      expect(store).toStrictEqual(truth(sim.states))
      expect(store["light.bedroom"]).toBeUndefined()
      expect(skipped).toStrictEqual([])

      yield* Fiber.interrupt(subscription)
      yield* eventually(() => sim.subscriptionCount === 0, "unsubscribe")
    }))

  it.scoped("entity_ids limits the snapshot and the changes to those entities", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* Queue.unbounded<unknown>()
      yield* ha.subscribeMessage({ type: "subscribe_entities", entity_ids: ["switch.coffee_maker"] }).pipe(
        Stream.runForEach((event) => Queue.offer(events, event)),
        Effect.forkScoped
      )
      expect(Object.keys(((yield* Queue.take(events)) as { a: object }).a)).toStrictEqual(["switch.coffee_maker"])
      yield* sim.setState("light.kitchen", "off")
      yield* sim.setState("switch.coffee_maker", "on")
      expect(yield* Queue.take(events)).toMatchObject({ c: { "switch.coffee_maker": { "+": { s: "on" } } } })
      expect(yield* Queue.size(events)).toBe(0)
    }))
})
