// The live entity store against the simulator: shared, replayed, deduplicated per entity, replaced on reconnect.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Logger, LogLevel, Queue, Schedule, Stream, TestClock } from "effect"
import { makeEntityStore, type SessionEvent } from "../../src/homeassistant/entities.js"
import { InvalidMessage } from "../../src/index.js"
import { collect, connect, eventually, reachState, truth } from "./kit.js"



describe("Home Assistant entities", () => {
  it.scoped("entities: the current map first, then a new map per change, equal to the server's states", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const maps = yield* collect(ha.entities)
      expect(yield* Queue.take(maps)).toStrictEqual(truth(sim.states))
      yield* ha.callService("light", "turn_on", undefined, { entity_id: "light.living_room" })
      const next = yield* Queue.take(maps)
      expect(next["light.living_room"]?.state).toBe("on")
      expect(next).toStrictEqual(truth(sim.states))
    }))

  it.scoped("entity(id) emits only when that entity changed", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const kitchen = yield* collect(ha.entity("light.kitchen"))
      expect((yield* Queue.take(kitchen))?.state).toBe("on")
      yield* sim.setState("switch.coffee_maker", "on")
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(kitchen))?.state).toBe("off")
      yield* sim.removeEntity("light.kitchen")
      expect(yield* Queue.take(kitchen)).toBeUndefined()
      expect(yield* Queue.size(kitchen)).toBe(0)
    }))

  it.scoped("one HA subscription serves every consumer; a late consumer gets the current map; it ends a grace period after the last", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ entitiesGracePeriod: "5 seconds" })
      // Until the change shows: a change that arrives with the snapshot may come in the same map.
      const first = yield* Effect.fork(ha.entities.pipe(Stream.takeUntil((all) => all["light.bedroom"]?.state === "on"), Stream.runCollect))
      yield* eventually(() => sim.count("subscribe_entities") === 1, "the subscription")
      yield* sim.setState("light.bedroom", "on")
      yield* Fiber.join(first)
      // The last consumer left; within the grace period a new one shares the same subscription and its current map.
      const late = yield* ha.entities.pipe(Stream.take(1), Stream.runCollect)
      expect(Chunk.toReadonlyArray(late)[0]?.["light.bedroom"]?.state).toBe("on")
      expect(sim.count("subscribe_entities")).toBe(1)
      expect(sim.subscriptionCount).toBe(1) // within the grace period
      yield* TestClock.adjust("5 seconds")
      yield* eventually(() => sim.subscriptionCount === 0, "unsubscribe after the grace period")
      expect(sim.count("unsubscribe_events")).toBe(1)
    }))

  it.scoped("currentEntities is the map now, from the shared subscription", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      expect(yield* ha.currentEntities).toStrictEqual(truth(sim.states))
      yield* sim.setState("light.bedroom", "on")
      yield* eventually(() => sim.count("subscribe_entities") === 1, "one subscription")
      const maps = yield* collect(ha.entities)
      while ((yield* Queue.take(maps))["light.bedroom"]?.state !== "on") { /* the change is on its way */ }
      expect((yield* ha.currentEntities)["light.bedroom"]?.state).toBe("on")
      expect(sim.count("subscribe_entities")).toBe(1)
    }))

  it.scoped("a malformed event skips what it cannot apply, is logged at debug level, and the store goes on", () => {
    const logged: Array<unknown> = []
    return Effect.gen(function*() {
      const events = yield* Queue.unbounded<SessionEvent>()
      const store = yield* makeEntityStore(() => Stream.fromQueue(events), "5 seconds", {
        isLegacy: Effect.succeed(false),
        getStates: Effect.succeed([]),
        reconnected: Stream.never
      })
      const maps = yield* collect(store.entities)
      const offer = (event: unknown) => Queue.offer(events, { attachment: 1, event })
      yield* offer({ a: { "light.a": { s: "on", a: {}, c: "01", lc: 1 } } })
      expect(Object.keys(yield* Queue.take(maps))).toStrictEqual(["light.a"])
      yield* offer("not an object")
      yield* offer({ c: { "light.unknown": { "+": { s: "off" } }, "light.a": { "+": { s: 7 } } } })
      yield* offer({ c: { "light.a": { "+": { s: "off", lc: 2 } } } })
      let last = yield* Queue.take(maps)
      while (last["light.a"]?.state !== "off") last = yield* Queue.take(maps)
      expect(last["light.a"]).toMatchObject({ state: "off", last_changed: "1970-01-01T00:00:02.000Z" })
      expect(JSON.stringify(logged)).toContain("light.unknown")
      expect(JSON.stringify(logged)).toContain("(the event is not an object)")
    }).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ annotations, message }) => logged.push(message, [...annotations])))),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  })

  it.scoped("after a reconnect the map is HA's fresh snapshot: an entity removed while disconnected is gone (HAWS #769)", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("5 seconds") })
      const maps = yield* collect(ha.entities)
      expect(Object.keys(yield* Queue.take(maps))).toContain("light.bedroom")
      yield* sim.goOffline
      yield* eventually(() => sim.connectionCount === 0, "the drop")
      yield* reachState(ha, "reconnecting")
      yield* sim.removeEntity("light.bedroom")
      yield* sim.setState("sensor.new", "1")
      yield* sim.goOnline
      yield* TestClock.adjust("5 seconds")
      const after = yield* Queue.take(maps)
      expect(after["light.bedroom"]).toBeUndefined()
      expect(after["sensor.new"]?.state).toBe("1")
      expect(after).toStrictEqual(truth(sim.states))
    }))

  it.scoped("entitiesWith refuses a filter of the wrong kind with InvalidMessage, sending nothing", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const before = sim.received.length
      for (const filter of [null, undefined, 5, { entityIds: 5 }, { entityIds: [1] }, { include: { domains: "light" } }]) {
        const error = yield* Effect.flip(Stream.runHead(ha.entitiesWith(filter as never)))
        expect(error).toBeInstanceOf(InvalidMessage)
        expect((error as InvalidMessage).reason).toMatch(/^entitiesWith: /)
      }
      expect(sim.received.length).toBe(before)
    }))

  it.scoped("entitiesWith({ entityIds }) holds only those, filtered by HA", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const maps = yield* collect(ha.entitiesWith({ entityIds: ["switch.coffee_maker"] }))
      expect(Object.keys(yield* Queue.take(maps))).toStrictEqual(["switch.coffee_maker"])
      expect(sim.received.find((r) => r.message.type === "subscribe_entities")?.message).toMatchObject({
        entity_ids: ["switch.coffee_maker"]
      })
    }))

  it.scoped("entitiesWith({ include, exclude }): HA applies its entity filter; changes to filtered-out entities never arrive", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const maps = yield* collect(ha.entitiesWith({
        include: { domains: ["light"], entityGlobs: ["sensor.*_temperature"] },
        exclude: { entities: ["light.bedroom"] }
      }))
      expect(Object.keys(yield* Queue.take(maps)).sort()).toStrictEqual(["light.kitchen", "light.living_room", "sensor.outdoor_temperature"])
      expect(sim.received.find((r) => r.message.type === "subscribe_entities")?.message).toMatchObject({
        include: { domains: ["light"], entity_globs: ["sensor.*_temperature"] },
        exclude: { entities: ["light.bedroom"] }
      })
      yield* sim.setState("light.bedroom", "on")
      yield* sim.setState("switch.coffee_maker", "on")
      yield* sim.setState("light.kitchen", "off")
      const next = yield* Queue.take(maps)
      expect(next["light.kitchen"]?.state).toBe("off")
      expect(next["light.bedroom"]).toBeUndefined()
      expect(yield* Queue.size(maps)).toBe(0) // the two filtered-out changes sent nothing
    }))
})

describe("Home Assistant entities on HA older than 2022.4 (no subscribe_entities)", () => {
  it.scoped("get_states then state_changed; a removal drops the entity; after a reconnect get_states replaces the map", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("5 seconds") }, { haVersion: "2022.3.8" })
      const maps = yield* collect(ha.entities)
      expect(yield* Queue.take(maps)).toStrictEqual(Object.fromEntries(sim.states.map((s) => [s.entity_id, s])))
      expect(sim.count("subscribe_entities")).toBe(0)
      yield* eventually(() => sim.count("subscribe_events") === 1, "the state_changed subscription")
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(maps))["light.kitchen"]?.state).toBe("off")
      yield* sim.removeEntity("switch.coffee_maker")
      expect((yield* Queue.take(maps))["switch.coffee_maker"]).toBeUndefined()

      yield* sim.goOffline
      yield* eventually(() => sim.connectionCount === 0, "the drop")
      yield* reachState(ha, "reconnecting")
      yield* sim.removeEntity("light.bedroom")
      yield* sim.goOnline
      yield* TestClock.adjust("5 seconds")
      const after = yield* Queue.take(maps)
      expect(after["light.bedroom"]).toBeUndefined()
      expect(after).toStrictEqual(Object.fromEntries(sim.states.map((s) => [s.entity_id, s])))
      expect(sim.count("get_states")).toBe(2)
    }))
})
