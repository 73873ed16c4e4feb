// History against the simulator on the TestClock: history/stream live (its first batch, changes merged per entity, a
// window that moves, a reset after a reconnect) and history/history_during_period.
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Logger, Queue, Stream, TestClock } from "effect"
import { HomeAssistant } from "../../src/index.js"
import { connect, collect, eventually, reconnected } from "./kit.js"

const KITCHEN = { friendly_name: "Kitchen", supported_color_modes: ["brightness"], brightness: 180 }

describe("Home Assistant history (history/stream)", () => {
  it.scoped("sends the recorded history first, then each state change merged into its entity", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      yield* TestClock.adjust("1 hour")
      yield* sim.setState("light.kitchen", "off")
      const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"] }))
      expect(yield* Queue.take(updates)).toStrictEqual({
        reset: true,
        states: { "light.kitchen": [{ s: "on", a: KITCHEN, lu: 0 }, { s: "off", a: KITCHEN, lu: 3600 }] }
      })
      // An attribute alone is not a significant change (HA's default), so only the next state arrives.
      yield* TestClock.adjust("1 minute")
      yield* sim.setState("light.kitchen", "off", { ...KITCHEN, brightness: 10 })
      yield* sim.setState("light.kitchen", "on")
      expect(yield* Queue.take(updates)).toStrictEqual({
        reset: false,
        states: {
          "light.kitchen": [
            { s: "on", a: KITCHEN, lu: 0 },
            { s: "off", a: KITCHEN, lu: 3600 },
            { s: "on", a: { ...KITCHEN, brightness: 10 }, lu: 3660 }
          ]
        }
      })
      const [sent] = sim.received.filter((r) => r.message.type === "history/stream")
      expect(sent?.message).toStrictEqual({ id: sent?.message.id, type: "history/stream", start_time: "1969-12-31T01:00:00.000Z", entity_ids: ["light.kitchen"] })
    }))

  it.scoped("the window moves: older states are dropped, the last of them kept as the state at the window's start", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"], window: "1 hour", noAttributes: true }))
      expect(yield* Queue.take(updates)).toStrictEqual({ reset: true, states: { "light.kitchen": [{ s: "on", lu: 0 }] } })
      yield* TestClock.adjust("30 minutes")
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(updates)).states).toStrictEqual({ "light.kitchen": [{ s: "on", lu: 0 }, { s: "off", lu: 1800 }] })
      yield* TestClock.adjust("1 hour")
      yield* sim.setState("light.kitchen", "on")
      expect((yield* Queue.take(updates)).states).toStrictEqual({ "light.kitchen": [{ s: "off", lu: 1800 }, { s: "on", lu: 5400 }] })
      yield* TestClock.adjust("30 minutes")
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(updates)).states).toStrictEqual({
        "light.kitchen": [{ s: "off", lu: 3600 }, { s: "on", lu: 5400 }, { s: "off", lu: 7200 }]
      })
    }))

  it.scoped("after a reconnect it is made again with a fresh start_time, and its batch replaces the history, not appended twice", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"], window: "1 hour", noAttributes: true }))
      yield* Queue.take(updates)
      yield* TestClock.adjust("10 minutes")
      yield* sim.setState("light.kitchen", "off")
      expect(yield* Queue.take(updates)).toStrictEqual({
        reset: false,
        states: { "light.kitchen": [{ s: "on", lu: 0 }, { s: "off", lu: 600 }] }
      })
      yield* sim.dropAll
      // While the client is away: the recorder keeps it, and the new subscription's batch carries it.
      yield* sim.setState("light.kitchen", "on")
      yield* reconnected(ha, sim, 2)
      expect(yield* Queue.take(updates)).toStrictEqual({
        reset: true,
        states: { "light.kitchen": [{ s: "on", lu: 0 }, { s: "off", lu: 600 }, { s: "on", lu: 600 }] }
      })
      expect(sim.received.filter((r) => r.message.type === "history/stream").map((r) => [r.connection, r.message.start_time]))
        .toStrictEqual([[1, "1969-12-31T23:00:00.000Z"], [2, "1969-12-31T23:10:00.000Z"]])
      // and it goes on live on the new connection
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(updates)).states["light.kitchen"]).toHaveLength(4)
    }))

  it.scoped("ending the Stream unsubscribes", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      const before = sim.subscriptionCount
      yield* Effect.scoped(Effect.gen(function*() {
        const updates = yield* collect(ha.history({ entityIds: ["light.kitchen"] }))
        yield* Queue.take(updates)
        expect(sim.subscriptionCount).toBe(before + 1)
      }))
      yield* eventually(() => sim.subscriptionCount === before, "the unsubscription")
      expect(sim.count("unsubscribe_events")).toBe(1)
    }))
})

describe("Home Assistant history (history/history_during_period)", () => {
  it.scoped("each entity's states in the period, the state at its start first; decoded", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      for (const value of ["12", "13"]) {
        yield* TestClock.adjust("1 hour")
        yield* sim.setState("sensor.outdoor_temperature", value)
      }
      yield* TestClock.adjust("1 hour")
      const history = yield* ha.historyDuringPeriod({
        start: new Date(30 * 60_000),
        entityIds: ["sensor.outdoor_temperature", "light.kitchen"],
        noAttributes: true
      })
      expect(history).toStrictEqual({
        "sensor.outdoor_temperature": [{ s: "11.5", lu: 1800 }, { s: "12", lu: 3600 }, { s: "13", lu: 7200 }],
        "light.kitchen": [{ s: "on", lu: 1800 }]
      })
      const ended = yield* ha.historyDuringPeriod({
        start: "1970-01-01T00:30:00Z",
        end: new Date(5_000_000),
        entityIds: ["sensor.outdoor_temperature"],
        includeStartTimeState: false,
        minimalResponse: true
      })
      expect(ended).toStrictEqual({ "sensor.outdoor_temperature": [{ s: "12", a: expect.objectContaining({ state_class: "measurement" }), lu: 3600 }] })
      expect(sim.received.at(-1)?.message).toMatchObject({
        type: "history/history_during_period",
        start_time: "1970-01-01T00:30:00.000Z",
        end_time: "1970-01-01T01:23:20.000Z",
        include_start_time_state: false,
        minimal_response: true
      })
      // A start in the future has no history (HA answers {}).
      expect(yield* ha.historyDuringPeriod({ start: new Date(10 * 3_600_000) })).toStrictEqual({})
    }))

  it.scoped("an HA before 2022.5 answers with its own unknown_command", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ heartbeat: false }, { haVersion: "2022.4.7" })
      expect(yield* Effect.flip(ha.historyDuringPeriod({ start: new Date(0) }))).toMatchObject({
        _tag: "HomeAssistantError",
        code: "unknown_command"
      })
    }))
})

it.live("src/homeassistant/README.md: the history, statistics and logbook example runs against the simulator", () =>
  Effect.gen(function*() {
    const { ha, sim } = yield* connect({ heartbeat: false })
    // the kitchen light toggles every 10 ms of real time, so the streams have changes to show
    let on = true
    const toggle = Effect.suspend(() => {
      on = !on
      return sim.setState("light.kitchen", on ? "on" : "off")
    })
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep("10 millis"), toggle)))
    const logged: Array<unknown> = []
    const recorder = Effect.gen(function*() {
      const ha = yield* HomeAssistant
      yield* ha.history({ entityIds: ["light.kitchen", "sensor.outdoor_temperature"], window: "6 hours" }).pipe(
        Stream.take(2),
        Stream.runForEach(({ reset, states }) => Effect.log(reset ? "replaced" : "extended", states["light.kitchen"]?.at(-1)?.s))
      )
      const yesterday = new Date((yield* Clock.currentTimeMillis) - 86_400_000)
      const once = yield* ha.historyDuringPeriod({ start: yesterday, entityIds: ["light.kitchen"], minimalResponse: true })
      const hourly = yield* ha.statisticsDuringPeriod({ statisticIds: ["sensor.outdoor_temperature"], start: yesterday, period: "hour" })
      yield* Effect.log(once["light.kitchen"]?.length, hourly["sensor.outdoor_temperature"]?.map((row) => row.mean))
      yield* ha.logbook({ start: yesterday, entityIds: ["light.kitchen"] }).pipe(
        Stream.take(3),
        Stream.runForEach(({ entries, live }) => Effect.log(live, entries.map((entry) => `${entry.entity_id} ${entry.state}`)))
      )
    })
    const logger = Logger.make(({ message }) => logged.push(message))
    yield* recorder.pipe(
      Effect.provideService(HomeAssistant, ha),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Effect.timeout("10 seconds")
    )
    expect(logged[0]).toStrictEqual(["replaced", expect.stringMatching(/^(on|off)$/)])
    expect(logged[1]).toStrictEqual(["extended", expect.stringMatching(/^(on|off)$/)])
    // a fresh simulator has no whole hour of statistics yet
    expect(logged[2]).toStrictEqual([expect.any(Number), undefined])
    expect(logged).toHaveLength(6)
  }).pipe(Effect.scoped))
