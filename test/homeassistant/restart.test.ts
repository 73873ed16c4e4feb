// Home Assistant restarting under a live client (#30 §3): a re-subscribe refused while HA starts (its integration not
// set up yet: unknown_command) waits until HA runs and is sent once more, never ended for good (HAWS #272); a call
// that restarts or stops HA succeeds when HA answers it by going away, and is never re-sent.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue, Schedule, TestClock } from "effect"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { collect, connect, connectTo, eventually, minimalHa, reconnected } from "./kit.js"

/** Moves the TestClock on in small steps, letting real socket I/O run, until `condition` holds (bounded). */
const until = (condition: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000 && !condition(); i++) {
      yield* TestClock.adjust("100 millis")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
    if (!condition()) return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

describe("Home Assistant restarting: subscriptions", () => {
  it.scoped("a history stream refused while HA starts waits for homeassistant_started, then subscribes once more and goes on", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("1 second") })
      const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"] }))
      const first = yield* Queue.take(updates)
      expect(first.reset).toBe(true)
      expect(sim.count("history/stream")).toBe(1)

      yield* sim.restartStarting
      yield* until(() => sim.count("history/stream") === 2, "the re-subscribe, refused while starting")
      yield* eventually(() => sim.count("get_config") >= 1 && sim.received.some((r) =>
        r.message.type === "subscribe_events" && r.message.event_type === "homeassistant_started"), "the wait for started")
      // Still starting after many seconds: nothing more is sent, and the Stream has not ended.
      yield* TestClock.adjust("3 seconds")
      expect(sim.count("history/stream")).toBe(2)

      yield* sim.finishStarting
      yield* until(() => sim.count("history/stream") === 3, "the subscribe once HA runs")
      expect(sim.received.filter((r) => r.message.type === "integration/wait").map((r) => r.message.domain)).toStrictEqual(["history"])
      const again = yield* Queue.take(updates)
      expect(again.reset).toBe(true)
      yield* sim.setState("light.kitchen", "off")
      const live = yield* Queue.take(updates)
      expect(live.reset).toBe(false)
      expect(live.states["light.kitchen"]?.at(-1)?.s).toBe("off")
      expect(sim.count("history/stream")).toBe(3)
    }))

  it.scoped("on a Home Assistant already running again, the refused re-subscribe is sent once more at once", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
      const { ha } = yield* connectTo(sim, { reconnect: Schedule.spaced("1 second") })
      const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"] }))
      yield* Queue.take(updates)
      yield* sim.restartStarting
      yield* until(() => sim.count("history/stream") === 2, "the refused re-subscribe")
      // HA finished starting before the client's wait asked get_config: no event needed
      yield* sim.finishStarting
      yield* until(() => sim.count("history/stream") === 3, "the subscribe once more")
      expect((yield* Queue.take(updates)).reset).toBe(true)
    }))
})

describe("Home Assistant restarting: a release without integration/wait (before 2025.5)", () => {
  it.scoped("the refused re-subscribe is sent once more once HA runs; integration/wait's unknown_command does not stop it", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("1 second") }, { haVersion: "2024.6.4" })
      const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"] }))
      yield* Queue.take(updates)
      yield* sim.restartStarting
      yield* until(() => sim.count("history/stream") === 2, "the refused re-subscribe")
      yield* sim.finishStarting
      yield* until(() => sim.count("history/stream") === 3, "the subscribe once more")
      expect(sim.count("integration/wait")).toBe(1)
      expect((yield* Queue.take(updates)).reset).toBe(true)
    }))
})

describe("Home Assistant restarting: a call answered by going away", () => {
  it.scoped("homeassistant.restart succeeds with { wentAway: true } when the connection drops after the write; never re-sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("1 second") })
      const restart = yield* Effect.fork(ha.callService("homeassistant", "restart"))
      yield* until(() => restart.unsafePoll() !== null, "the call's outcome")
      expect(yield* Fiber.join(restart)).toStrictEqual({ wentAway: true })
      yield* until(() => sim.acceptedCount === 2 && sim.connectionCount === 1, "the reconnect")
      yield* reconnected(ha, sim, 2)
      expect(sim.count("call_service")).toBe(1)
    }))

  it.scoped("homeassistant.stop too; any other call lost with its connection is still ConnectionLost", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: false })
      yield* sim.setReplyDelay("1 hour")
      const toggle = yield* Effect.fork(ha.callService("light", "toggle", undefined, { entity_id: "light.kitchen" }))
      yield* eventually(() => sim.count("call_service") === 1, "the toggle written")
      const stop = yield* Effect.fork(ha.callService("homeassistant", "stop"))
      yield* until(() => stop.unsafePoll() !== null, "the stop's outcome")
      expect(yield* Fiber.join(stop)).toStrictEqual({ wentAway: true })
      expect(yield* Effect.flip(Fiber.join(toggle))).toMatchObject({ _tag: "ConnectionLost", command: "call_service" })
    }))

  it.scoped("update.install of the core update counts as going away; of another entity it is an ordinary call", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ reconnect: Schedule.spaced("1 second") })
      const other = yield* Effect.flip(ha.callService("update", "install", { entity_id: "update.some_addon" }))
      expect(other).toMatchObject({ _tag: "HomeAssistantError", code: "not_found" })
      const core = yield* Effect.fork(ha.callService("update", "install", undefined, { entity_id: "update.home_assistant_core_update" }))
      yield* until(() => core.unsafePoll() !== null, "the install's outcome")
      expect(yield* Fiber.join(core)).toStrictEqual({ wentAway: true })
    }))
})

describe("Home Assistant restarting: telling a restarted subscription from a continued one, and readyWith", () => {
  it.scoped("subscribeMessageNumbered numbers each event by its subscribe: 1, then 2 after HA restarted", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("1 second") })
      const events = yield* collect(ha.subscribeMessageNumbered({ type: "subscribe_events", event_type: "ping_test" }))
      yield* eventually(() => sim.count("subscribe_events") >= 1, "the subscription")
      yield* sim.fireEvent("ping_test", { n: 1 })
      expect(yield* Queue.take(events)).toMatchObject({ attachment: 1, event: { event_type: "ping_test", data: { n: 1 } } })
      yield* sim.restart
      yield* until(() => sim.acceptedCount === 2 && sim.received.filter((r) => r.message.event_type === "ping_test").length === 2, "the re-subscribe")
      yield* sim.fireEvent("ping_test", { n: 2 })
      expect(yield* Queue.take(events)).toMatchObject({ attachment: 2, event: { data: { n: 2 } } })
    }))

  it.scoped("readyWith waits for HA to run and each named collection to load; an unknown name is InvalidOption", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
      yield* sim.restartStarting
      const { ha } = yield* connectTo(sim)
      expect(yield* Effect.flip(ha.readyWith(["areaRegistry", "nope" as never]))).toMatchObject({ _tag: "InvalidOption", option: "readyWith" })
      const ready = yield* Effect.fork(ha.readyWith(["areaRegistry", "entities"]))
      yield* eventually(() => sim.count("config/area_registry/list") === 1 && sim.count("subscribe_entities") === 1, "both collections")
      yield* TestClock.adjust("5 seconds")
      expect(ready.unsafePoll()).toBeNull()
      yield* sim.finishStarting
      yield* until(() => ready.unsafePoll() !== null, "ready")
      expect(yield* Fiber.join(ready)).toMatchObject({ state: "RUNNING" })
    }))
})

const CONFIG = {
  latitude: 0,
  longitude: 0,
  elevation: 0,
  unit_system: { length: "km", mass: "g", temperature: "°C", volume: "L" },
  location_name: "Test",
  time_zone: "UTC",
  components: [],
  version: "2026.1.2",
  state: "RUNNING"
}

describe("readyWith waits for its collections, not only for HA running", () => {
  it.scopedLive("on a running HA that never answers the area registry, ready completes and readyWith(['areaRegistry']) does not", () =>
    Effect.gen(function*() {
      const ha = yield* minimalHa(({ id, type }) =>
        type === "config/area_registry/list"
          ? [] // never answered
          : [{ id, type: "result", success: true, result: type === "get_config" ? CONFIG : null }]
      )
      expect(yield* ha.ready).toMatchObject({ state: "RUNNING" })
      const waiting = yield* Effect.fork(ha.readyWith(["areaRegistry"]))
      yield* Effect.sleep("300 millis")
      expect(waiting.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(waiting)
    }))
})
