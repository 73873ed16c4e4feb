/**
 * Durations as callers give them (`"5 seconds"`, milliseconds, a `Duration`), checked: bad input becomes a typed
 * `InvalidOption` naming the option, never a defect and never a silent clamp.
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { InvalidOption } from "./errors.js"

/**
 * Decodes a caller's duration. Negative, NaN or undecodable input is refused rather than silently clamped to 0
 * (which `Duration.decode` would do). `Duration.infinity` means "no bound".
 */
export const decodeDuration = (
  option: string,
  input: unknown
): Either.Either<Duration.Duration, InvalidOption> => {
  if (typeof input === "number" && !(input >= 0)) {
    return Either.left(new InvalidOption({ option, reason: `must be a non-negative number of milliseconds` }))
  }
  if (typeof input === "string" && input.trimStart().startsWith("-")) {
    return Either.left(new InvalidOption({ option, reason: "must not be negative" }))
  }
  const decoded = Duration.decodeUnknown(input)
  return Option.isSome(decoded)
    ? Either.right(decoded.value)
    : Either.left(new InvalidOption({ option, reason: "expected a Duration, a number of milliseconds or e.g. \"5 seconds\"" }))
}

/** Like `decodeDuration`, with a default for an absent value. */
export const durationOr = (
  option: string,
  input: unknown,
  fallback: Duration.Duration
): Either.Either<Duration.Duration, InvalidOption> => input === undefined ? Either.right(fallback) : decodeDuration(option, input)
