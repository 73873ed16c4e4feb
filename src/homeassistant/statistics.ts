/**
 * Long-term statistics from HA's recorder: `recorder/statistics_during_period`, the mean, min and max (or sum,
 * state, change) of each period, as HA's energy and statistics cards read them. Decoded with Schema at the edge;
 * unknown extra fields are kept.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { CommandError } from "./errors.js"
import { extra, type Send, TimeArgument, toIso, withDefined } from "./internal/recorder.js"
import type { CommandOptions } from "./options.js"
import { checkArgument, decodeResult } from "./schemas.js"

/** The periods HA compiles statistics for. */
export const StatisticsPeriod = Schema.Literal("5minute", "hour", "day", "week", "month")
/** One of the periods HA compiles statistics for. */
export type StatisticsPeriod = typeof StatisticsPeriod.Type

/** The values a statistic row may carry. */
export const StatisticType = Schema.Literal("change", "last_reset", "max", "mean", "min", "state", "sum")
/** One of the values a statistic row may carry. */
export type StatisticType = typeof StatisticType.Type

// Milliseconds since the epoch; HA sent ISO strings before it sent timestamps, read here as the same instant.
const Instant = Schema.Union(
  Schema.Number,
  Schema.transformOrFail(Schema.String, Schema.Number, {
    strict: true,
    decode: (text, _, ast) => {
      const millis = Date.parse(text)
      return Number.isNaN(millis) ? ParseResult.fail(new ParseResult.Type(ast, text, "expected a date-time")) : ParseResult.succeed(millis)
    },
    encode: (millis) => ParseResult.succeed(new Date(millis).toISOString())
  })
)
const Value = Schema.optional(Schema.NullOr(Schema.Number))

/** One period of a statistic: its `start` and `end` (milliseconds since the epoch) and the values asked for. */
export const StatisticValue = Schema.Struct(
  {
    start: Instant,
    end: Instant,
    mean: Value,
    min: Value,
    max: Value,
    sum: Value,
    state: Value,
    change: Value,
    last_reset: Schema.optional(Schema.NullOr(Instant))
  },
  extra
)
/** One decoded statistic row. */
export type StatisticValue = typeof StatisticValue.Type

/** Each statistic's rows, oldest first; a statistic with no rows in the period is absent. */
export const Statistics = Schema.Record({ key: Schema.String, value: Schema.Array(StatisticValue) })
/** The decoded `recorder/statistics_during_period` result. */
export type Statistics = typeof Statistics.Type

/** Options of `statisticsDuringPeriod`. */
export interface StatisticsOptions {
  /** The statistics: an entity id such as `sensor.outdoor_temperature`, or an external statistic's id. */
  readonly statisticIds: ReadonlyArray<string>
  readonly start: Date | string
  /** Default: now. */
  readonly end?: Date | string
  /** Default `"hour"`. */
  readonly period?: StatisticsPeriod
  /** Only these values (HA's default: every one the statistic has). */
  readonly types?: ReadonlyArray<StatisticType>
  /** Converted to these units, by unit class (`{ temperature: "°F" }`). */
  readonly units?: Readonly<Record<string, string>>
}

const checkStatistics = checkArgument(
  Schema.Struct({
    statisticIds: Schema.NonEmptyArray(Schema.String),
    start: TimeArgument,
    end: Schema.optional(TimeArgument),
    period: Schema.optional(StatisticsPeriod),
    types: Schema.optional(Schema.Array(StatisticType)),
    units: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
  }),
  "statisticsDuringPeriod"
)

const decodeStatistics = decodeResult(Statistics, "recorder/statistics_during_period")

/** `recorder/statistics_during_period` (HA 2022.10+): each statistic's rows between `start` and `end`, once. */
export const statisticsDuringPeriod = (send: Send) =>
(options: StatisticsOptions, commandOptions?: CommandOptions): Effect.Effect<Statistics, CommandError> => {
  const checked = checkStatistics(options)
  if (Either.isLeft(checked)) return Effect.fail(checked.left)
  const { end, period, start, statisticIds, types, units } = checked.right
  const message = withDefined({
    type: "recorder/statistics_during_period",
    start_time: toIso(start),
    statistic_ids: [...statisticIds],
    period: period ?? "hour"
  }, {
    end_time: end === undefined ? undefined : toIso(end),
    types: types === undefined ? undefined : [...types],
    units
  })
  return Effect.flatMap(send(message, commandOptions), decodeStatistics)
}
