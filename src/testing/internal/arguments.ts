/**
 * Checks for the test kit's controls: a bad argument is an `InvalidOption` naming the control and the argument,
 * never a defect, and nothing is changed.
 */
import * as Effect from "effect/Effect"
import { InvalidOption } from "../../core/errors.js"
import { isPlainObject } from "../../core/message.js"

/** A failed check, or `undefined` for a good argument. */
export type Check = InvalidOption | undefined

const invalid = (option: string, reason: string): InvalidOption => new InvalidOption({ option, reason })

export const isString = (option: string, value: unknown): Check =>
  typeof value === "string" ? undefined : invalid(option, "expected a string")

export const isBoolean = (option: string, value: unknown): Check =>
  typeof value === "boolean" ? undefined : invalid(option, "expected a boolean")

/** A plain object (what HA sends as JSON), or, when `optional`, `undefined`. */
export const isRecord = (option: string, value: unknown, optional = false): Check =>
  (optional && value === undefined) ||
    (typeof value === "object" && value !== null && !Array.isArray(value) && isPlainObject(value))
    ? undefined
    : invalid(option, optional ? "expected a plain object or undefined" : "expected a plain object")

// HA core's `valid_entity_id`: `domain.object_id` of lowercase letters, digits and single inner underscores.
const ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/

export const isEntityId = (option: string, value: unknown): Check =>
  typeof value === "string" && ENTITY_ID.test(value)
    ? undefined
    : invalid(option, "expected an entity id such as light.kitchen (lowercase domain.object_id)")

// HA core refuses a longer state (`InvalidStateError`, MAX_LENGTH_STATE_STATE).
const MAX_STATE_LENGTH = 255

export const isState = (option: string, value: unknown): Check =>
  typeof value !== "string"
    ? invalid(option, "expected a string")
    : value.length > MAX_STATE_LENGTH
    ? invalid(option, `Home Assistant states are at most ${MAX_STATE_LENGTH} characters`)
    : undefined

export const isHttpStatusOrUndefined = (option: string, value: unknown): Check =>
  value === undefined || (Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599)
    ? undefined
    : invalid(option, "expected an HTTP status (100 to 599) or undefined")

/** The first failed check, or `undefined` when every argument is good. */
export const firstFailure = (checks: ReadonlyArray<Check>): Check => checks.find((check) => check !== undefined)

/** `run`, once every check has passed; otherwise the first failed check, and nothing runs. */
export const checked = (checks: ReadonlyArray<Check>, run: () => void): Effect.Effect<void, InvalidOption> => {
  const failure = firstFailure(checks)
  return failure === undefined ? Effect.sync(run) : Effect.fail(failure)
}
