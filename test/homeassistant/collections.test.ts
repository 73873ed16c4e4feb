// The live collections against the simulator: decoded, refreshed on their events and after a reconnect, and a
// reply that does not match its schema is a typed InvalidMessage naming the command.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Queue, Schema, Stream, TestClock } from "effect"
import { InvalidMessage, InvalidOption } from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { collect, connect, connectTo, eventually, reconnected, takeRefreshed } from "./kit.js"


/**
 * The entity registry, loaded and subscribed to its events, beside a second subscriber on the same connection that
 * counts the events reaching the client (`seen`), so a test knows when a burst is over.
 */
const watchedRegistry = Effect.gen(function*() {
  const { ha, sim } = yield* connect()
  const registries = yield* collect(ha.entityRegistry)
  yield* Queue.take(registries)
  yield* eventually(
    () => sim.received.some((r) => r.message.type === "subscribe_events" && r.message.event_type === "entity_registry_updated"),
    "the entity_registry_updated subscription"
  )
  let count = 0
  yield* Effect.forkScoped(Stream.runForEach(ha.subscribeEvents("entity_registry_updated"), () => Effect.sync(() => count++)))
  yield* eventually(() => sim.subscriptionCount >= 2, "the test's own subscription")
  return { registries, seen: () => count, sim }
})

describe("Home Assistant collections", () => {
  it.scoped("config: decoded, refreshed on core_config_updated (debounced), unknown extra fields kept", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const configs = yield* collect(ha.config)
      const first = yield* Queue.take(configs)
      expect(first).toMatchObject({ location_name: "Simulated Home", version: "2026.1.2", state: "RUNNING" })
      yield* eventually(() => sim.count("subscribe_events") === 3, "the config's three subscriptions")
      yield* sim.updateConfig({ location_name: "Cabin", radius: 100 })
      expect(yield* takeRefreshed(configs)).toMatchObject({ location_name: "Cabin", radius: 100 })
    }))

  it.scoped("services: refreshed on service_registered", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const services = yield* collect(ha.services)
      expect(Object.keys(yield* Queue.take(services))).toContain("light")
      yield* eventually(() => sim.count("subscribe_events") === 2, "the two service subscriptions")
      yield* sim.registerService("script", "good_night")
      expect((yield* takeRefreshed(services)).script).toStrictEqual({ good_night: { fields: {} } })
    }))

  it.scoped("currentUser: decoded, and fetched again after a reconnect", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const users = yield* collect(ha.currentUser)
      expect(yield* Queue.take(users)).toMatchObject({ id: "simulated-user", is_admin: true })
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      expect((yield* takeRefreshed(users)).name).toBe("Simulated User")
      expect(sim.count("auth/current_user")).toBe(2)
    }))

  it.scoped("a reply that does not match the schema is an InvalidMessage naming the command", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.updateConfig({ latitude: "north" })
      const error = yield* Effect.flip(ha.config.pipe(Stream.runHead))
      expect(error).toBeInstanceOf(InvalidMessage)
      expect(error.message).toContain("the result of get_config does not match its schema")
      expect(error.message).toContain("latitude")
    }))
})

describe("Home Assistant registries", () => {
  it.scoped("the entity, device and area registries are decoded; the area registry refreshes on area_registry_updated", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const entities = Option.getOrThrow(yield* ha.entityRegistry.pipe(Stream.runHead))
      expect(entities.entities.map((e) => e.ei)).toContain("light.kitchen")
      const devices = Option.getOrThrow(yield* ha.deviceRegistry.pipe(Stream.runHead))
      expect(devices.map((d) => d.name)).toStrictEqual(["Kitchen lamp", "Coffee maker"])
      const areas = yield* collect(ha.areaRegistry)
      expect((yield* Queue.take(areas)).map((a) => a.area_id)).toStrictEqual(["kitchen", "living_room"])
      yield* eventually(
        () => sim.received.some((r) => r.message.type === "subscribe_events" && r.message.event_type === "area_registry_updated"),
        "the area_registry_updated subscription"
      )
      yield* sim.addArea("garden", "Garden")
      expect((yield* takeRefreshed(areas)).map((a) => a.name)).toStrictEqual(["Kitchen", "Living Room", "Garden"])
      // unknown extra fields survive decoding
      expect(devices[0]).toMatchObject({ manufacturer: "Simulated" })
    }))
})

describe("Home Assistant collection refreshes", () => {
  it.scoped("are debounced: a burst of 1,200 entity_registry_updated events costs one fetch once it is over, not 1,200", () =>
    Effect.gen(function*() {
      const { registries, seen, sim } = yield* watchedRegistry
      const fetches = () => sim.count("config/entity_registry/list_for_display")
      expect(fetches()).toBe(1)
      for (let i = 0; i < 1200; i++) {
        yield* sim.fireEvent("entity_registry_updated", { action: "update", entity_id: `sensor.burst_${i}` })
      }
      yield* eventually(() => seen() === 1200, "the burst to reach the client")
      expect(fetches()).toBe(1)
      yield* takeRefreshed(registries)
      expect(fetches()).toBe(2)
    }))

  it.scoped("a steady trickle of events, each within the debounce of the last, still refreshes every 2 s (4 debounces)", () =>
    Effect.gen(function*() {
      const { seen, sim } = yield* watchedRegistry
      const fetches = () => sim.count("config/entity_registry/list_for_display")
      // An event every 400 ms for 4.4 s: never 500 ms quiet, so a plain trailing debounce would never refresh.
      for (let i = 0; i < 12; i++) {
        yield* sim.fireEvent("entity_registry_updated", { action: "update", entity_id: `sensor.trickle_${i}` })
        yield* eventually(() => seen() === i + 1, "the event to reach the client")
        yield* TestClock.adjust("400 millis")
        yield* eventually(() => fetches() === 1 + Math.floor(((i + 1) * 400) / 2000), `the refreshes after ${(i + 1) * 400} ms`)
      }
      expect(fetches()).toBe(3)
    }))

  it.scoped("config is refreshed on component_loaded too, as integrations load", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const configs = yield* collect(ha.config)
      yield* Queue.take(configs)
      yield* eventually(() => sim.count("subscribe_events") === 3, "the config's three subscriptions")
      yield* sim.fireEvent("component_loaded", { component: "zwave_js" })
      yield* takeRefreshed(configs)
      expect(sim.count("get_config")).toBe(2)
    }))
})

describe("Home Assistant ready", () => {
  it.scoped("completes at once, with the config, on a running Home Assistant", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      expect(yield* ha.ready).toMatchObject({ state: "RUNNING", location_name: "Simulated Home" })
    }))

  it.scoped("waits while Home Assistant is starting, and completes once it fires homeassistant_started", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
      yield* sim.restartStarting
      const { ha } = yield* connectTo(sim)
      const ready = yield* Effect.fork(ha.ready)
      yield* eventually(() => sim.count("get_config") === 1, "the first get_config")
      yield* TestClock.adjust("5 seconds")
      expect(ready.unsafePoll()).toBeNull()
      yield* eventually(() => sim.received.some((r) => r.message.event_type === "homeassistant_started"), "the started subscription")
      yield* sim.finishStarting
      for (let i = 0; i < 2000 && ready.unsafePoll() === null; i++) {
        yield* TestClock.adjust("100 millis")
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
      }
      expect(yield* Fiber.join(ready)).toMatchObject({ state: "RUNNING" })
      expect(sim.count("get_config")).toBe(2)
    }))
})

describe("Home Assistant floor and label registries (HA 2024.4+)", () => {
  it.scoped("are decoded and refresh on floor_registry_updated / label_registry_updated", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const floors = yield* collect(ha.floorRegistry)
      const labels = yield* collect(ha.labelRegistry)
      expect(yield* Queue.take(floors)).toStrictEqual([{ floor_id: "ground_floor", name: "Ground floor", level: 0 }])
      expect(yield* Queue.take(labels)).toStrictEqual([{ label_id: "energy", name: "Energy", color: "green" }])
      yield* eventually(
        () => ["floor_registry_updated", "label_registry_updated"].every((type) =>
          sim.received.some((r) => r.message.type === "subscribe_events" && r.message.event_type === type)),
        "both subscriptions"
      )
      yield* sim.addFloor("attic", "Attic", 2)
      expect((yield* takeRefreshed(floors)).map((floor) => floor.floor_id)).toStrictEqual(["ground_floor", "attic"])
      yield* sim.addLabel("security", "Security")
      expect((yield* takeRefreshed(labels)).map((label) => label.name)).toStrictEqual(["Energy", "Security"])
    }))

  it.scoped("on an HA before 2024.4, which answers their commands unknown_command, they are empty: it had none", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({}, { haVersion: "2024.3.3" })
      expect(yield* Effect.flip(ha.sendMessage({ type: "config/floor_registry/list" }))).toMatchObject({ code: "unknown_command" })
      expect(Option.getOrThrow(yield* Stream.runHead(ha.floorRegistry))).toStrictEqual([])
      expect(Option.getOrThrow(yield* Stream.runHead(ha.labelRegistry))).toStrictEqual([])
      expect(sim.count("config/label_registry/list")).toBe(0)
    }))
})

describe("A collection of your own (ha.collection)", () => {
  it.scoped("fetches and decodes its command, refreshes on its events (debounced), and refuses bad options by name", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const AreaNames = Schema.Array(Schema.Struct({ name: Schema.String }))
      const areas = yield* ha.collection({ command: "config/area_registry/list", schema: AreaNames, refreshOn: ["area_registry_updated"] })
      const values = yield* collect(areas)
      expect(yield* Queue.take(values)).toStrictEqual([{ name: "Kitchen" }, { name: "Living Room" }])
      yield* eventually(
        () => sim.received.some((r) => r.message.type === "subscribe_events" && r.message.event_type === "area_registry_updated"),
        "its subscription"
      )
      yield* sim.addArea("garden", "Garden")
      expect((yield* takeRefreshed(values)).map((area) => area.name)).toStrictEqual(["Kitchen", "Living Room", "Garden"])
      expect(yield* Effect.flip(ha.collection({ command: "get_config", schema: "not a schema" as never }))).toStrictEqual(
        new InvalidOption({ option: "schema", reason: "expected a Schema to decode the result with" })
      )
      expect(yield* Effect.flip(ha.collection({ command: 42 as never, schema: AreaNames }))).toMatchObject({ option: "command" })
      expect(yield* Effect.flip(ha.collection({ command: "x", schema: AreaNames, debounce: -1 }))).toMatchObject({ option: "debounce" })
    }))
})

describe("The full entity registry (config/entity_registry/list)", () => {
  it.scoped("holds disabled entities, which have no state, with their unique_id", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const registry = Option.getOrThrow(yield* Stream.runHead(ha.entityRegistryFull))
      expect(registry.map((entry) => entry.entity_id).sort()).toStrictEqual([...sim.states.map((s) => s.entity_id), "sensor.old_meter"].sort())
      expect(registry.find((entry) => entry.entity_id === "sensor.old_meter")).toMatchObject({
        disabled_by: "user",
        unique_id: "simulated-old-meter",
        platform: "simulated"
      })
      expect(sim.states.some((state) => state.entity_id === "sensor.old_meter")).toBe(false)
    }))
})
