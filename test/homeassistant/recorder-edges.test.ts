// The recorder operations at their edges: a reply or event that does not match its schema is an InvalidMessage naming
// the command (against a minimal server of the test's own: the simulator only ever answers well), unknown extra
// fields are kept, and bad arguments from untyped callers are typed errors with nothing sent.
import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, FastCheck as fc, Option, Stream } from "effect"
import { InvalidMessage, InvalidOption } from "../../src/index.js"
import { connect, minimalHa as clientOf } from "./kit.js"

const result = (id: number, value: unknown) => ({ id, type: "result", success: true, result: value })
const event = (id: number, value: unknown) => ({ id, type: "event", event: value })

describe("recorder replies are decoded with Schema", () => {
  it.scoped("a reply that does not match is an InvalidMessage naming the command and the path", () =>
    Effect.gen(function*() {
      const ha = yield* clientOf(({ id }) => [result(id, { "sensor.x": [{ s: 21, lu: "noon" }] })])
      const history = yield* Effect.flip(ha.historyDuringPeriod({ start: new Date(0) }))
      expect(history).toBeInstanceOf(InvalidMessage)
      expect(history.message).toContain("the result of history/history_during_period does not match its schema")
      expect(history.message).toContain('["s"]')
      expect(history.message).toContain("Expected string, actual 21")
      const statistics = yield* Effect.flip(ha.statisticsDuringPeriod({ statisticIds: ["sensor.x"], start: new Date(0) }))
      expect(statistics.message).toContain("the result of recorder/statistics_during_period does not match its schema")
    }))

  it.scoped("an event that does not match fails the Stream with an InvalidMessage naming the command", () =>
    Effect.gen(function*() {
      const ha = yield* clientOf(({ id }) => [result(id, null), event(id, { states: "none", events: [{ when: "now" }] })])
      const history = yield* Effect.flip(Stream.runDrain(ha.history()))
      expect(history).toBeInstanceOf(InvalidMessage)
      expect(history.message).toContain("an event of history/stream does not match its schema")
      const logbook = yield* Effect.flip(Stream.runDrain(ha.logbook({ start: new Date(0) })))
      expect(logbook.message).toContain("an event of logbook/event_stream does not match its schema")
      expect(logbook.message).toContain('["when"]')
      expect(logbook.message).toContain('Expected number, actual "now"')
    }))

  it.scoped("unknown extra fields are kept; statistics given as ISO strings (older HA) are read as milliseconds", () =>
    Effect.gen(function*() {
      const ha = yield* clientOf(({ id, type }) =>
        type === "recorder/statistics_during_period"
          ? [result(id, { "sensor.x": [{ start: "1970-01-01T01:00:00Z", end: 7_200_000, mean: 1, source: "recorder" }] })]
          : type === "logbook/event_stream"
          ? [result(id, null), event(id, { events: [{ when: 5, message: "turned on", icon: "mdi:lamp" }], start_time: 0, end_time: 9, extra: 1 })]
          : [result(id, { "sensor.x": [{ s: "21", lu: 60, future_field: true }] })]
      )
      expect(yield* ha.historyDuringPeriod({ start: new Date(0) })).toStrictEqual({ "sensor.x": [{ s: "21", lu: 60, future_field: true }] })
      expect(yield* ha.statisticsDuringPeriod({ statisticIds: ["sensor.x"], start: new Date(0) })).toStrictEqual({
        "sensor.x": [{ start: 3_600_000, end: 7_200_000, mean: 1, source: "recorder" }]
      })
      const [batch] = yield* Stream.runCollect(Stream.take(ha.logbook({ start: new Date(0) }), 1))
      expect(batch).toStrictEqual({ entries: [{ when: 5, message: "turned on", icon: "mdi:lamp" }], live: false, partial: false })
    }))
})

describe("recorder operations refuse bad arguments, and send nothing", () => {
  it.scoped("wrong kinds of argument are InvalidMessage naming the call; a bad window is InvalidOption", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: false })
      const during = yield* Effect.flip(ha.historyDuringPeriod({ start: "yesterday-ish" }))
      expect(during).toBeInstanceOf(InvalidMessage)
      expect(during.message).toContain("historyDuringPeriod")
      expect(during.message).toContain("expected an ISO 8601 date-time")
      expect(yield* Effect.flip(ha.historyDuringPeriod(undefined as never))).toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip(ha.historyDuringPeriod({ start: new Date(Number.NaN) }))).toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip(ha.historyDuringPeriod({ start: new Date(0), entityIds: "light.kitchen" as never })))
        .toBeInstanceOf(InvalidMessage)
      const history = yield* Effect.flip(Stream.runDrain(ha.history({ entityIds: [1] as never })))
      expect(history.message).toContain("history")
      expect(yield* Effect.flip(Stream.runDrain(ha.history(42 as never)))).toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip(Stream.runDrain(ha.history({ window: -1 })))).toMatchObject({ _tag: "InvalidOption", option: "window" })
      expect(yield* Effect.flip(Stream.runDrain(ha.history({ window: Duration.infinity })))).toStrictEqual(
        new InvalidOption({ option: "window", reason: "expected a finite duration" })
      )
      const statistics = yield* Effect.flip(ha.statisticsDuringPeriod({ statisticIds: [], start: new Date(0) }))
      expect(statistics.message).toContain("statisticsDuringPeriod")
      expect(yield* Effect.flip(ha.statisticsDuringPeriod({ statisticIds: ["sensor.x"], start: new Date(0), period: "fortnight" as never })))
        .toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip(Stream.runDrain(ha.logbook({ start: 0 as never })))).toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip(Stream.runDrain(ha.logbook(null as never)))).toBeInstanceOf(InvalidMessage)
      const recorderCommands = ["history/history_during_period", "history/stream", "recorder/statistics_during_period", "logbook/event_stream"]
      expect(recorderCommands.map((type) => sim.count(type))).toStrictEqual([0, 0, 0, 0])
    }))

  it.scoped("what HA itself refuses is its HomeAssistantError, as the simulator answers it", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ heartbeat: false })
      expect(yield* Effect.flip(Stream.runDrain(ha.logbook({ start: new Date(3_600_000) })))).toMatchObject({
        _tag: "HomeAssistantError",
        code: "invalid_start_time"
      })
      // Raw messages the typed calls never send: HA's voluptuous answers.
      const refusals = [
        { type: "history/history_during_period", start_time: 5 },
        { type: "history/stream", start_time: "1970-01-01T00:00:00Z", no_attributes: "yes" },
        { type: "recorder/statistics_during_period", start_time: "1970-01-01T00:00:00Z", statistic_ids: ["sensor.x"], period: "fortnight" },
        { type: "logbook/event_stream" },
        { type: "logbook/event_stream", start_time: "whenever" }
      ]
      const codes = yield* Effect.forEach(refusals, (message) => Effect.flip(ha.sendMessage(message)))
      expect(codes.map((error) => (error as { code?: string }).code)).toStrictEqual([
        "invalid_format",
        "invalid_format",
        "invalid_format",
        "invalid_format",
        "invalid_start_time"
      ])
    }))

  it.scopedLive("property: 120 random argument lists to the recorder operations: a result or a typed error, never a defect or a hang", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ heartbeat: false })
      // Each field mostly a value of its kind (undefined included), sometimes anything at all.
      const field = (...good: ReadonlyArray<unknown>) =>
        fc.oneof({ arbitrary: fc.constantFrom(undefined, ...good), weight: 5 }, { arbitrary: fc.anything(), weight: 1 })
      const time = field(new Date(0), "1970-01-01T00:30:00Z", "10", new Date(Number.NaN), "soon")
      const ids = field(["light.kitchen"], ["sensor.outdoor_temperature", "light.kitchen"], [], "light.kitchen")
      const flag = field(true, false, "yes")
      const cases = fc.sample(
        fc.record({
          op: fc.nat(3),
          start: time,
          end: time,
          ids,
          flag,
          window: field("1 hour", 0, -1, "forever", Duration.infinity),
          period: field("hour", "5minute", "day", "week", "month", "fortnight"),
          types: field(["mean"], ["max", "min"], ["median"])
        }),
        { numRuns: 120, seed: 44 }
      )
      const outcomes = new Set<string>()
      for (const { end, flag, ids, op, period, start, types, window } of cases) {
        const call = ([
          () => Stream.runHead(ha.history({ entityIds: ids, window, significantChangesOnly: flag, noAttributes: flag } as never)),
          () => ha.historyDuringPeriod({ start, end, entityIds: ids, minimalResponse: flag } as never),
          () => ha.statisticsDuringPeriod({ statisticIds: ids, start, end, period, types } as never),
          () => Stream.runHead(ha.logbook({ start, end, entityIds: ids, deviceIds: ids } as never))
        ] as ReadonlyArray<() => Effect.Effect<unknown, unknown>>)[op]!
        const exit = yield* Effect.exit(Effect.suspend(call).pipe(Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => ({ _tag: "no answer" }) })))
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        const tag = Exit.isSuccess(exit) ? "ok" : Option.isSome(failure) ? String((failure.value as { _tag: unknown })._tag) : "defect"
        expect(["ok", "InvalidMessage", "InvalidOption", "HomeAssistantError"], `operation ${op}: ${String(exit)}`).toContain(tag)
        outcomes.add(tag)
      }
      expect([...outcomes].sort()).toStrictEqual(["HomeAssistantError", "InvalidMessage", "InvalidOption", "ok"])
    }), 60_000)
})
