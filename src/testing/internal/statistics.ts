/**
 * The simulator's `recorder/statistics_during_period`, computed from the recorded states as HA's recorder compiles
 * them for a `measurement` sensor: for each whole period that has ended, the time-weighted `mean` and the `min` and
 * `max` of the numeric states in effect. Only entities with a `state_class` have statistics (no `sum` / `state` /
 * `change`: the seed has no meter); `units` are not converted. Periods are aligned on UTC (HA: the configured time zone).
 */
import type { HassEntity } from "../../homeassistant/messages.js"
import type { Client, SimulatorWorld } from "./commands.js"
import type { RecordedStates } from "./recorder.js"
import { errorMessage, readPeriod, resultMessage } from "./recorderArguments.js"

const PERIODS = new Set(["5minute", "hour", "day", "week", "month"])
const MEAN_TYPES = ["mean", "min", "max"] as const
/** At most this many periods per statistic in one answer (a 5-minute query over a year would be 105,120). */
const MAX_ROWS = 10_000

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** The start of the period holding `time`, and the start of the next. */
const periodOf = (period: string, time: number): readonly [number, number] => {
  const date = new Date(time)
  switch (period) {
    case "5minute": {
      const start = time - (time % (5 * MINUTE) + 5 * MINUTE) % (5 * MINUTE)
      return [start, start + 5 * MINUTE]
    }
    case "hour": {
      const start = time - (time % (60 * MINUTE) + 60 * MINUTE) % (60 * MINUTE)
      return [start, start + 60 * MINUTE]
    }
    case "day": {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
      return [start, start + DAY]
    }
    case "week": { // ISO weeks start on Monday
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - ((date.getUTCDay() + 6) % 7) * DAY
      return [start, start + 7 * DAY]
    }
    default:
      return [Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)]
  }
}

const numeric = (state: HassEntity): number | undefined => {
  const value = Number.parseFloat(state.state)
  return Number.isFinite(value) ? value : undefined
}

/** The rows of one entity's statistic for the whole periods that start in `[start, end)`. */
const rows = (recorded: ReadonlyArray<HassEntity>, period: string, start: number, end: number, types: ReadonlyArray<string>) => {
  const out: Array<Record<string, unknown>> = []
  const first = recorded[0]
  if (first === undefined) return out
  const changes = recorded.map((state) => ({ at: Date.parse(state.last_updated), value: numeric(state) }))
  // No statistics before the first recorded state: start there rather than walk empty periods.
  let [from, to] = periodOf(period, Math.max(start, changes[0]!.at))
  if (from < start) [from, to] = periodOf(period, to)
  while (to <= end && out.length < MAX_ROWS) {
    let weighted = 0
    let covered = 0
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < changes.length; i++) {
      const { at, value } = changes[i]!
      const until = Math.min(changes[i + 1]?.at ?? Infinity, to)
      const since = Math.max(at, from)
      if (value === undefined || until <= since) continue
      weighted += value * (until - since)
      covered += until - since
      min = Math.min(min, value)
      max = Math.max(max, value)
    }
    if (covered > 0) {
      const values: Record<string, number> = { mean: weighted / covered, min, max }
      const row: Record<string, unknown> = { start: from, end: to }
      for (const type of MEAN_TYPES) if (types.includes(type)) row[type] = values[type]
      out.push(row)
    }
    ;[from, to] = periodOf(period, to)
  }
  return out
}

const hasStatistics = (states: RecordedStates, entityId: string) =>
  states.recordedStates(entityId).some((state) => "state_class" in state.attributes)

/** `recorder/statistics_during_period`: each statistic's rows for the whole periods between `start_time` and now. */
export const statisticsDuringPeriod = (world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>): void => {
  const read = readPeriod(id, message, [], "statistic_ids")
  if (read._tag === "Refused") return world.reply(client, [read.reply])
  if (read.entityIds === undefined || read.entityIds.length === 0) {
    return world.reply(client, [errorMessage(id, "invalid_format", "required key not provided @ data['statistic_ids']")])
  }
  if (typeof message.period !== "string" || !PERIODS.has(message.period)) {
    return world.reply(client, [errorMessage(id, "invalid_format", "value must be one of ['5minute', 'day', 'hour', 'month', 'week'] @ data['period']")])
  }
  const types = message.types === undefined ? MEAN_TYPES : message.types
  if (!Array.isArray(types) || !types.every((type) => typeof type === "string")) {
    return world.reply(client, [errorMessage(id, "invalid_format", "expected a list for dictionary value @ data['types']")])
  }
  const now = Date.parse(world.home.now())
  const end = Math.min(read.end ?? now, now)
  const states = world.home.states
  const result: Record<string, ReadonlyArray<Record<string, unknown>>> = {}
  for (const entityId of read.entityIds) {
    if (!hasStatistics(states, entityId)) continue
    const found = rows(states.recordedStates(entityId), message.period, read.start, end, types)
    if (found.length > 0) result[entityId] = found
  }
  world.reply(client, [resultMessage(id, result)])
}
