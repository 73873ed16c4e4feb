/**
 * What the recorder operations (history, statistics, logbook) share: the time arguments callers give, the message
 * fields they become, and decoding a subscription's events at the edge.
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { Attached } from "../../live/LiveSession.js"
import type { CommandError } from "../errors.js"
import type { CommandMessage } from "../messages.js"
import type { CommandOptions } from "../options.js"

/** Unknown extra fields, kept: HA adds fields every release. */
export const extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** A point in time as callers give it: a valid `Date`, or a string `Date.parse` reads (ISO 8601 is what HA reads). */
export const TimeArgument = Schema.Union(
  Schema.ValidDateFromSelf,
  Schema.String.pipe(Schema.filter((text) => !Number.isNaN(Date.parse(text)), { message: () => "expected an ISO 8601 date-time" }))
)

/** The ISO 8601 form HA reads (`dt_util.parse_datetime`). */
export const toIso = (time: Date | string): string => (typeof time === "string" ? new Date(time) : time).toISOString()

/** `message` with each of `fields` whose value was given (HA applies its own default to an absent key). */
export const withDefined = (message: CommandMessage, fields: Readonly<Record<string, unknown>>): CommandMessage => {
  const out: Record<string, unknown> = { ...message }
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value
  return out as CommandMessage
}

export { decodeEvent } from "../schemas.js"

/** The client's `sendMessage`. */
export type Send = (message: CommandMessage, options?: CommandOptions) => Effect.Effect<unknown, CommandError>

/** The live session's numbered subscribe: each event with the connection it came on; the message rebuilt per connection. */
export type SubscribeNumbered = (
  message: (connection: { readonly haVersion: string }) => CommandMessage
) => Stream.Stream<Attached<unknown>, CommandError>
