/**
 * Pure validators for caller-supplied options: bad input becomes a typed `InvalidOption`, never a defect.
 */
import * as Either from "effect/Either"
import { InvalidOption } from "../errors.js"
import { utf8ByteLength } from "../utf8.js"
import { isSendableCloseCode } from "../closeCodes.js"

const MAX_REASON_BYTES = 123

/** Validates a close code and reason; the reason must fit a control frame (123 UTF-8 bytes). */
export const validateClose = (
  code: unknown,
  reason: unknown
): Either.Either<{ readonly code: number; readonly reason: string }, InvalidOption> => {
  if (!isSendableCloseCode(code)) {
    return Either.left(
      new InvalidOption({
        option: "code",
        reason: `${String(code)} is not a close code a client may send (1000-1003, 1007-1014, 3000-4999)`
      })
    )
  }
  if (typeof reason !== "string") {
    return Either.left(new InvalidOption({ option: "reason", reason: `expected a string, got ${typeof reason}` }))
  }
  const bytes = utf8ByteLength(reason)
  if (bytes > MAX_REASON_BYTES) {
    return Either.left(
      new InvalidOption({ option: "reason", reason: `is ${bytes} UTF-8 bytes; at most ${MAX_REASON_BYTES} fit a close frame` })
    )
  }
  return Either.right({ code, reason })
}

/** A positive whole number within `max`. */
export const positiveInteger = (
  option: string,
  input: unknown,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER
): Either.Either<number, InvalidOption> => {
  if (input === undefined) return Either.right(fallback)
  if (typeof input !== "number" || !Number.isInteger(input) || input < 1 || input > max) {
    return Either.left(new InvalidOption({ option, reason: `expected a whole number from 1 to ${max}` }))
  }
  return Either.right(input)
}

// RFC 7230 token characters for header names; values may not hold CR, LF or NUL.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/

/** Validates handshake headers. Errors name the header, never its value. */
export const validateHeaders = (
  input: unknown
): Either.Either<Readonly<Record<string, string>>, InvalidOption> => {
  if (input === undefined) return Either.right({})
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return Either.left(new InvalidOption({ option: "headers", reason: "expected a record of header names to strings" }))
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(input)) {
    if (!HEADER_NAME.test(name)) {
      return Either.left(new InvalidOption({ option: "headers", reason: "a header name is not a valid HTTP token" }))
    }
    if (typeof value !== "string") {
      return Either.left(new InvalidOption({ option: "headers", reason: `the value of '${name}' is not a string` }))
    }
    if (HEADER_VALUE_FORBIDDEN.test(value)) {
      return Either.left(new InvalidOption({ option: "headers", reason: `the value of '${name}' holds CR, LF or NUL` }))
    }
    headers[name] = value
  }
  return Either.right(headers)
}
