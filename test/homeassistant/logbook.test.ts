// The logbook (logbook/event_stream) and statistics (recorder/statistics_during_period) against the simulator on the
// TestClock: historical entries then live ones, a reconnect that neither repeats nor loses an entry, and statistics
// computed from the recorded states.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, TestClock } from "effect"
import { collect, connect, reconnected } from "./kit.js"

describe("Home Assistant logbook (logbook/event_stream)", () => {
  it.scoped("the entries since start (partial, then the last historical batch), then each new one live", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      yield* TestClock.adjust("1 minute")
      yield* sim.setState("light.kitchen", "off")
      // A sensor with a unit is the history graph's, not the logbook's (as in HA); an attribute alone is no entry.
      yield* sim.setState("sensor.outdoor_temperature", "12")
      yield* sim.setState("light.kitchen", "off", { friendly_name: "Kitchen" })
      const updates = yield* collect(ha.logbook({ start: new Date(0) }))
      expect(yield* Queue.take(updates)).toStrictEqual({
        entries: [{ when: 60, state: "off", entity_id: "light.kitchen" }],
        live: false,
        partial: true
      })
      expect(yield* Queue.take(updates)).toStrictEqual({ entries: [], live: false, partial: false })
      yield* TestClock.adjust("1 minute")
      yield* ha.callService("light", "turn_on", {}, { entity_id: "light.kitchen" })
      expect(yield* Queue.take(updates)).toStrictEqual({
        entries: [{ when: 120, state: "on", entity_id: "light.kitchen", context_user_id: "simulated-user" }],
        live: true,
        partial: false
      })
    }))

  it.scoped("after a reconnect it resumes from the newest entry: what happened meanwhile arrives, nothing twice", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      yield* TestClock.adjust("1 minute")
      yield* sim.setState("light.kitchen", "off")
      const updates = yield* collect(ha.logbook({ start: "1970-01-01T00:00:00Z", entityIds: ["light.kitchen"] }))
      expect((yield* Queue.take(updates)).entries).toStrictEqual([{ when: 60, state: "off", entity_id: "light.kitchen" }])
      expect((yield* Queue.take(updates)).partial).toBe(false)
      yield* TestClock.adjust("1 minute")
      yield* sim.dropAll
      yield* sim.setState("light.kitchen", "on")
      yield* reconnected(ha, sim, 2)
      expect(yield* Queue.take(updates)).toStrictEqual({
        entries: [{ when: 120, state: "on", entity_id: "light.kitchen" }],
        live: false,
        partial: true
      })
      expect(yield* Queue.take(updates)).toStrictEqual({ entries: [], live: false, partial: false })
      expect(sim.received.filter((r) => r.message.type === "logbook/event_stream").map((r) => r.message.start_time))
        .toStrictEqual(["1970-01-01T00:00:00.000Z", "1970-01-01T00:01:00.000Z"])
    }))

  it.scoped("asking only for entities the logbook leaves out: one empty batch, as HA answers", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ heartbeat: false })
      const updates = yield* collect(ha.logbook({ start: new Date(0), entityIds: ["sensor.outdoor_temperature"] }))
      expect(yield* Queue.take(updates)).toStrictEqual({ entries: [], live: false, partial: false })
    }))

  it.scoped("an end in the past: the history of the period only", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      for (const state of ["off", "on", "off"]) {
        yield* TestClock.adjust("1 minute")
        yield* sim.setState("switch.coffee_maker", state === "off" ? "on" : "off")
        yield* sim.setState("light.kitchen", state)
      }
      const updates = yield* collect(ha.logbook({ start: new Date(90_000), end: new Date(150_000), entityIds: ["light.kitchen"] }))
      expect(yield* Queue.take(updates)).toStrictEqual({
        entries: [{ when: 120, state: "on", entity_id: "light.kitchen" }],
        live: false,
        partial: false
      })
    }))
})

describe("Home Assistant statistics (recorder/statistics_during_period)", () => {
  it.scoped("the time-weighted mean, min and max of each whole period, from the recorded states", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      // 11.5 from 0, 13.5 from 0:30, 10 from 1:00; now 2:10, so the third hour has not ended.
      yield* TestClock.adjust("30 minutes")
      yield* sim.setState("sensor.outdoor_temperature", "13.5")
      yield* TestClock.adjust("30 minutes")
      yield* sim.setState("sensor.outdoor_temperature", "10")
      yield* TestClock.adjust("70 minutes")
      const hourly = yield* ha.statisticsDuringPeriod({
        statisticIds: ["sensor.outdoor_temperature", "light.kitchen"],
        start: new Date(0)
      })
      expect(hourly).toStrictEqual({
        "sensor.outdoor_temperature": [
          { start: 0, end: 3_600_000, mean: 12.5, min: 11.5, max: 13.5 },
          { start: 3_600_000, end: 7_200_000, mean: 10, min: 10, max: 10 }
        ]
      })
      expect(sim.received.at(-1)?.message).toMatchObject({ period: "hour", start_time: "1970-01-01T00:00:00.000Z" })
      const fiveMinutes = yield* ha.statisticsDuringPeriod({
        statisticIds: ["sensor.outdoor_temperature"],
        start: new Date(25 * 60_000),
        end: new Date(40 * 60_000),
        period: "5minute",
        types: ["max"]
      })
      expect(fiveMinutes).toStrictEqual({
        "sensor.outdoor_temperature": [
          { start: 1_500_000, end: 1_800_000, max: 11.5 },
          { start: 1_800_000, end: 2_100_000, max: 13.5 },
          { start: 2_100_000, end: 2_400_000, max: 13.5 }
        ]
      })
    }))

  it.scoped("an HA before 2022.10 (statistics under history/ then) answers with its own unknown_command", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ heartbeat: false }, { haVersion: "2022.9.0" })
      expect(yield* Effect.flip(ha.statisticsDuringPeriod({ statisticIds: ["sensor.outdoor_temperature"], start: new Date(0) })))
        .toMatchObject({ _tag: "HomeAssistantError", code: "unknown_command" })
    }))
})
