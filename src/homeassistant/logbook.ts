/**
 * The logbook, live: `logbook/event_stream`, the entries since `start` (HA sends the recent ones first, then older
 * ones, marking all but the last batch `partial`), then each new entry as it happens. Decoded with Schema at the
 * edge; unknown extra fields are kept.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { CommandError } from "./errors.js"
import { decodeEvent, extra, type SubscribeNumbered, TimeArgument, toIso, withDefined } from "./internal/recorder.js"
import { checkArgument } from "./schemas.js"

const Text = Schema.optional(Schema.NullOr(Schema.String))

/**
 * One logbook entry: `when` (seconds since the epoch) and, for a state change, `entity_id` and `state`; for other
 * events `name`, `message`, `domain`; the `context_*` fields say what caused it.
 */
export const LogbookEntry = Schema.Struct(
  {
    when: Schema.Number,
    entity_id: Text,
    state: Text,
    name: Text,
    message: Text,
    domain: Text,
    context_id: Text,
    context_user_id: Text
  },
  extra
)
/** One decoded logbook entry. */
export type LogbookEntry = typeof LogbookEntry.Type

const LogbookStreamMessage = Schema.Struct(
  {
    events: Schema.Array(LogbookEntry),
    start_time: Schema.optional(Schema.Number),
    end_time: Schema.optional(Schema.Number),
    partial: Schema.optional(Schema.Boolean)
  },
  extra
)

/** Options of `logbook`. */
export interface LogbookOptions {
  readonly start: Date | string
  /** Default: none, the stream stays live. An `end` in the past: the history only. */
  readonly end?: Date | string
  readonly entityIds?: ReadonlyArray<string>
  readonly deviceIds?: ReadonlyArray<string>
}

/** One batch of the logbook. */
export interface LogbookUpdate {
  /** New entries, none of them delivered before on this stream. */
  readonly entries: ReadonlyArray<LogbookEntry>
  /** `false` for the history since `start`, `true` for entries as they happen. */
  readonly live: boolean
  /** `true` while more history is coming; the last historical batch (perhaps empty) has `false`. */
  readonly partial: boolean
}

const checkLogbook = checkArgument(
  Schema.Struct({
    start: TimeArgument,
    end: Schema.optional(TimeArgument),
    entityIds: Schema.optional(Schema.Array(Schema.String)),
    deviceIds: Schema.optional(Schema.Array(Schema.String))
  }),
  "logbook"
)
const decodeStreamEvent = decodeEvent(LogbookStreamMessage, "logbook/event_stream")

/** What was delivered, so a reconnect's replay is trimmed to what is new. */
class Delivered {
  private attachment = 0
  private newest: number | undefined
  private atNewest = new Set<string>()
  private replayFrom: number | undefined
  private replayed = new Set<string>()

  /** Where a new subscription starts: after the newest entry delivered, or `start` if none was. */
  get resumeFrom(): number | undefined {
    return this.newest
  }

  /** The entries of a batch on `attachment` that were not delivered before a reconnect. */
  keep(attachment: number, entries: ReadonlyArray<LogbookEntry>): ReadonlyArray<LogbookEntry> {
    if (attachment !== this.attachment) {
      this.attachment = attachment
      this.replayFrom = this.newest
      this.replayed = new Set(this.atNewest)
    }
    const from = this.replayFrom
    const kept = from === undefined
      ? entries
      : entries.filter((entry) => entry.when > from || (entry.when === from && !this.replayed.has(JSON.stringify(entry))))
    for (const entry of kept) {
      if (this.newest === undefined || entry.when > this.newest) {
        this.newest = entry.when
        this.atNewest = new Set([JSON.stringify(entry)])
      } else if (entry.when === this.newest) this.atNewest.add(JSON.stringify(entry))
    }
    return kept
  }
}

/**
 * `logbook/event_stream` (HA 2022.6+): the entries since `start`, then each new one. After a reconnect it is made
 * again from the newest entry delivered, so what happened meanwhile comes, and nothing comes twice.
 */
export const logbook = (subscribe: SubscribeNumbered) =>
(options: LogbookOptions): Stream.Stream<LogbookUpdate, CommandError> => {
  const checked = checkLogbook(options)
  if (Either.isLeft(checked)) return Stream.fail(checked.left)
  const { deviceIds, end, entityIds, start } = checked.right
  const fields = {
    end_time: end === undefined ? undefined : toIso(end),
    entity_ids: entityIds === undefined ? undefined : [...entityIds],
    device_ids: deviceIds === undefined ? undefined : [...deviceIds]
  }
  return Stream.suspend(() => {
    const delivered = new Delivered()
    const message = () => {
      const resume = delivered.resumeFrom
      // HA's `when` has microseconds, an ISO string milliseconds: this starts a hair early, and `keep` trims.
      const startTime = resume === undefined ? toIso(start) : new Date(Math.floor(resume * 1000)).toISOString()
      return withDefined({ type: "logbook/event_stream", start_time: startTime }, fields)
    }
    return subscribe(message).pipe(
      Stream.mapEffect(({ attachment, event }) =>
        Effect.map(decodeStreamEvent(event), (batch): LogbookUpdate => ({
          entries: delivered.keep(attachment, batch.events),
          live: batch.start_time === undefined,
          partial: batch.partial === true
        })))
    )
  })
}
