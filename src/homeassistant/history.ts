/**
 * State history from HA's recorder: `history/history_during_period` once, and `history/stream` live, merged per
 * entity as HA's frontend merges it (`HistoryStream` in src/data/history.ts). States come in HA's compressed form
 * (`s`, `a`, `lu`, `lc`), decoded with Schema at the edge; unknown extra fields are kept.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { decodeDuration } from "../core/duration.js"
import { InvalidOption } from "../core/errors.js"
import type { CommandError } from "./errors.js"
import { decodeEvent, extra, type Send, type SubscribeNumbered, TimeArgument, toIso, withDefined } from "./internal/recorder.js"
import type { CommandOptions } from "./options.js"
import { checkArgument, decodeResult } from "./schemas.js"

/**
 * One recorded state in HA's compressed form: `s` the state, `a` its attributes (absent with `noAttributes`, and on
 * the middle states with `minimalResponse`), `lu` when it was last updated and `lc` last changed, in seconds since the
 * epoch; `lc` only when it differs from `lu`.
 */
export const HistoryState = Schema.Struct(
  { s: Schema.String, a: Schema.optional(extra), lu: Schema.Number, lc: Schema.optional(Schema.Number) },
  extra
)
/** One decoded history state. */
export type HistoryState = typeof HistoryState.Type

/** Each entity's states, oldest first. */
export const HistoryStates = Schema.Record({ key: Schema.String, value: Schema.Array(HistoryState) })
/** The decoded history of several entities. */
export type HistoryStates = typeof HistoryStates.Type

const HistoryStreamMessage = Schema.Struct(
  { states: HistoryStates, start_time: Schema.optional(Schema.Number), end_time: Schema.optional(Schema.Number) },
  extra
)

/** What HA may leave out of a history answer; each left out unless given (HA's defaults then apply). */
export interface HistoryFilterOptions {
  /** The entities; absent: every entity HA records. */
  readonly entityIds?: ReadonlyArray<string>
  /** Only changes of the state itself, not of attributes alone (HA's default: `true`). */
  readonly significantChangesOnly?: boolean
  /** Attributes only on the first state of each entity (HA's default: `false`). */
  readonly minimalResponse?: boolean
  /** No attributes at all, but for the domains that need them (HA's default: `false`). */
  readonly noAttributes?: boolean
}

/** Options of `historyDuringPeriod`. */
export interface HistoryPeriodOptions extends HistoryFilterOptions {
  readonly start: Date | string
  /** Default: now. */
  readonly end?: Date | string
  /** The state each entity had at `start`, as its first (HA's default: `true`). */
  readonly includeStartTimeState?: boolean
}

/** Options of the live `history`. */
export interface HistoryStreamOptions extends HistoryFilterOptions {
  /** How far back the history reaches, a window that moves with time. Default 24 hours. */
  readonly window?: Duration.DurationInput
}

/** The history so far, after each batch HA sent. */
export interface HistoryUpdate {
  /** Each entity's states within the window, oldest first; the state at the window's start leads, its `lu` that start. */
  readonly states: HistoryStates
  /** `true` when the history was replaced (the first batch, and the first after each reconnect), `false` when extended. */
  readonly reset: boolean
}

const Filters = {
  entityIds: Schema.optional(Schema.Array(Schema.String)),
  significantChangesOnly: Schema.optional(Schema.Boolean),
  minimalResponse: Schema.optional(Schema.Boolean),
  noAttributes: Schema.optional(Schema.Boolean)
}
const checkPeriod = checkArgument(
  Schema.Struct({ ...Filters, start: TimeArgument, end: Schema.optional(TimeArgument), includeStartTimeState: Schema.optional(Schema.Boolean) }),
  "historyDuringPeriod"
)
const checkStream = checkArgument(Schema.Struct({ ...Filters, window: Schema.optional(Schema.Unknown) }), "history")

const filterFields = (options: { readonly [K in keyof HistoryFilterOptions]?: HistoryFilterOptions[K] | undefined }) => ({
  entity_ids: options.entityIds === undefined ? undefined : [...options.entityIds],
  significant_changes_only: options.significantChangesOnly,
  minimal_response: options.minimalResponse,
  no_attributes: options.noAttributes
})

const decodePeriod = decodeResult(HistoryStates, "history/history_during_period")
const decodeStreamEvent = decodeEvent(HistoryStreamMessage, "history/stream")

/** `history/history_during_period` (HA 2022.5+): each entity's states between `start` and `end`, once. */
export const historyDuringPeriod = (send: Send) =>
(options: HistoryPeriodOptions, commandOptions?: CommandOptions): Effect.Effect<HistoryStates, CommandError> => {
  const checked = checkPeriod(options)
  if (Either.isLeft(checked)) return Effect.fail(checked.left)
  const { end, includeStartTimeState, start } = checked.right
  const message = withDefined({ type: "history/history_during_period", start_time: toIso(start) }, {
    end_time: end === undefined ? undefined : toIso(end),
    include_start_time_state: includeStartTimeState,
    ...filterFields(checked.right)
  })
  return Effect.flatMap(send(message, commandOptions), decodePeriod)
}

/** Adds a batch to the history, per entity, in time order (as HA's frontend `HistoryStream.processMessage` does). */
export const mergeHistory = (history: HistoryStates, batch: HistoryStates): HistoryStates => {
  const merged: Record<string, ReadonlyArray<HistoryState>> = { ...history }
  for (const [entityId, states] of Object.entries(batch)) {
    const before = merged[entityId]
    const last = before?.[before.length - 1]
    if (before === undefined || last === undefined) {
      merged[entityId] = states
      continue
    }
    const joined = [...before, ...states]
    merged[entityId] = states.length > 0 && states[0]!.lu < last.lu ? joined.sort((a, b) => a.lu - b.lu) : joined
  }
  return merged
}

/**
 * Drops the states older than `cutoff` (seconds) and keeps the last of them as the state at `cutoff`, so each entity
 * still says what it was when the window starts (HA's frontend does the same as its window moves).
 */
export const purgeBefore = (history: HistoryStates, cutoff: number): HistoryStates => {
  let changed = false
  const purged: Record<string, ReadonlyArray<HistoryState>> = {}
  for (const [entityId, states] of Object.entries(history)) {
    const kept = states.filter((state) => state.lu >= cutoff)
    const expired = states.length - kept.length
    if (expired === 0) {
      purged[entityId] = states
      continue
    }
    changed = true
    if (kept[0]?.lu === cutoff) {
      purged[entityId] = kept
      continue
    }
    const { lc: _, ...atCutoff } = states[expired - 1]!
    purged[entityId] = [{ ...atCutoff, lu: cutoff }, ...kept]
  }
  return changed ? purged : history
}

interface Accumulated {
  readonly attachment: number
  readonly states: HistoryStates
}

/**
 * `history/stream` (HA 2023.2+): the history of the last `window`, then every change, merged per entity. Made again
 * on each connection with a fresh `start_time`; that batch replaces the history (`reset: true`), so nothing is
 * counted twice and what changed while disconnected is there.
 */
export const history = (subscribe: SubscribeNumbered) =>
(options: HistoryStreamOptions = {}): Stream.Stream<HistoryUpdate, CommandError> => {
  const checked = checkStream(options)
  if (Either.isLeft(checked)) return Stream.fail(checked.left)
  const window = checked.right.window === undefined ? Either.right(Duration.hours(24)) : decodeDuration("window", checked.right.window)
  if (Either.isLeft(window)) return Stream.fail(window.left)
  if (!Duration.isFinite(window.right)) {
    return Stream.fail(new InvalidOption({ option: "window", reason: "expected a finite duration" }))
  }
  const windowMillis = Duration.toMillis(window.right)
  const fields = filterFields(checked.right)
  return Stream.unwrap(Effect.map(Effect.clock, (clock) => {
    const start = () => clock.unsafeCurrentTimeMillis() - windowMillis
    return subscribe(() => withDefined({ type: "history/stream", start_time: new Date(start()).toISOString() }, fields)).pipe(
      Stream.mapEffect(({ attachment, event }) => Effect.map(decodeStreamEvent(event), (message) => ({ attachment, message }))),
      Stream.mapAccum({ attachment: 0, states: {} } as Accumulated, (previous, { attachment, message }) => {
        const cutoff = start() / 1000
        if (attachment !== previous.attachment) {
          const states = purgeBefore(message.states, cutoff)
          return [{ attachment, states }, [{ states, reset: true }]]
        }
        // An empty batch only says the historical part is complete: nothing changed.
        if (Object.keys(message.states).length === 0) return [previous, []]
        const states = purgeBefore(mergeHistory(previous.states, message.states), cutoff)
        return [{ attachment, states }, [{ states, reset: false }]]
      }),
      Stream.flattenIterables
    )
  }))
}
