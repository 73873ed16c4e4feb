/**
 * Typed script operations: `execute_script`, `fire_event`, `validate_config` and `test_condition`. Arguments are
 * checked before anything is sent (untyped callers may pass anything); replies are decoded with Schema at the edge,
 * unknown extra fields kept, and a reply that does not match is an `InvalidMessage` naming the command.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { isPlainObject } from "../core/message.js"
import type { CommandError } from "./errors.js"
import type { CommandMessage } from "./messages.js"
import type { CommandOptions } from "./options.js"
import { checkArgument, decodeResult } from "./schemas.js"

const extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** A plain object, passed on as it is (a Date or a class instance is refused, not turned into `{}`). */
const PlainObject = Schema.declare(
  (value: unknown): value is Readonly<Record<string, unknown>> =>
    typeof value === "object" && value !== null && !Array.isArray(value) && isPlainObject(value),
  { identifier: "PlainObject", description: "a plain object" }
)

/** The context HA gives a script run or an event; unknown extra fields are kept. */
export const HassContextSchema = Schema.Struct(
  { id: Schema.String, parent_id: Schema.NullOr(Schema.String), user_id: Schema.NullOr(Schema.String) },
  extra
)

/** `execute_script`'s result: the run's context and, from HA 2023.7, the script's `response` (`stop` + `response_variable`). */
export const ScriptResult = Schema.Struct({ context: HassContextSchema, response: Schema.optional(Schema.Unknown) }, extra)
/** The decoded `execute_script` result; `response` is `null` when the script returned none, absent before HA 2023.7. */
export type ScriptResult = typeof ScriptResult.Type

/** `fire_event`'s result: the context the event was fired with. */
export const FireEventResult = Schema.Struct({ context: HassContextSchema }, extra)
/** The decoded `fire_event` result. */
export type FireEventResult = typeof FireEventResult.Type

const Validation = Schema.Struct({ valid: Schema.Boolean, error: Schema.NullOr(Schema.String) }, extra)

/** `validate_config`'s result: `{ valid, error }` for each part that was sent, and only those. */
export const ConfigValidation = Schema.Struct(
  { trigger: Schema.optional(Validation), condition: Schema.optional(Validation), action: Schema.optional(Validation) },
  extra
)
/** The decoded `validate_config` result. */
export type ConfigValidation = typeof ConfigValidation.Type

/** `test_condition`'s result: whether the condition passes now. */
export const ConditionResult = Schema.Struct({ result: Schema.Boolean }, extra)
/** The decoded `test_condition` result. */
export type ConditionResult = typeof ConditionResult.Type

/** One script action as HA's script syntax writes it: `{ action: "light.turn_on", target }`, `{ stop, response_variable }`... */
export type ScriptAction = Readonly<Record<string, unknown>>

/** A condition as HA's condition syntax writes it (`{ condition: "state", entity_id, state }`), or a template. */
export type ConditionConfig = Readonly<Record<string, unknown>> | string

/** What `validateConfig` sends to HA to validate: any of a trigger, a condition and an action (or lists of them). */
export interface ConfigToValidate {
  readonly trigger?: Readonly<Record<string, unknown>> | ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly condition?: ConditionConfig | ReadonlyArray<ConditionConfig>
  readonly action?: ScriptAction | ReadonlyArray<ScriptAction>
}

/** The script operations of the client. */
export interface ScriptOperations {
  readonly executeScript: (
    sequence: ScriptAction | ReadonlyArray<ScriptAction>,
    variables?: Readonly<Record<string, unknown>>,
    options?: CommandOptions
  ) => Effect.Effect<ScriptResult, CommandError>
  readonly fireEvent: (
    eventType: string,
    eventData?: Readonly<Record<string, unknown>>,
    options?: CommandOptions
  ) => Effect.Effect<FireEventResult, CommandError>
  readonly validateConfig: (config: ConfigToValidate, options?: CommandOptions) => Effect.Effect<ConfigValidation, CommandError>
  readonly testCondition: (
    condition: ConditionConfig,
    variables?: Readonly<Record<string, unknown>>,
    options?: CommandOptions
  ) => Effect.Effect<ConditionResult, CommandError>
}

const Variables = Schema.UndefinedOr(PlainObject)
const checkExecuteScript = checkArgument(
  Schema.Tuple(Schema.Union(PlainObject, Schema.Array(PlainObject)), Variables),
  "executeScript"
)
const checkFireEvent = checkArgument(Schema.Tuple(Schema.String, Variables), "fireEvent")
// HA refuses any other key (`extra keys not allowed`): said here, by name, before anything is sent.
const checkValidateConfig = checkArgument(
  Schema.Struct({ trigger: Schema.optional(Schema.Unknown), condition: Schema.optional(Schema.Unknown), action: Schema.optional(Schema.Unknown) }).pipe(
    Schema.annotations({ parseOptions: { onExcessProperty: "error" } })
  ),
  "validateConfig"
)
const checkTestCondition = checkArgument(Schema.Tuple(Schema.Union(PlainObject, Schema.String), Variables), "testCondition")

const decodeScript = decodeResult(ScriptResult, "execute_script")
const decodeFireEvent = decodeResult(FireEventResult, "fire_event")
const decodeValidation = decodeResult(ConfigValidation, "validate_config")
const decodeCondition = decodeResult(ConditionResult, "test_condition")

/** `message` with `key` set only when `value` was given (HA treats a present `null` differently from an absent key). */
const withOptional = (message: Record<string, unknown>, key: string, value: unknown): CommandMessage =>
  (value === undefined ? message : { ...message, [key]: value }) as CommandMessage

type Send = (message: CommandMessage, options?: CommandOptions) => Effect.Effect<unknown, CommandError>

/** The script operations over `send` (the client's `sendMessage`). */
export const makeScriptOperations = (send: Send): ScriptOperations => {
  const run = <A, C>(
    checked: Either.Either<C, CommandError>,
    message: (args: C) => CommandMessage,
    decode: (result: unknown) => Effect.Effect<A, CommandError>,
    options: CommandOptions | undefined
  ): Effect.Effect<A, CommandError> =>
    Either.isLeft(checked) ? Effect.fail(checked.left) : Effect.flatMap(send(message(checked.right), options), decode)
  return {
    executeScript: (sequence, variables, options) =>
      run(checkExecuteScript([sequence, variables]), ([steps, vars]) =>
        withOptional({ type: "execute_script", sequence: steps }, "variables", vars), decodeScript, options),
    fireEvent: (eventType, eventData, options) =>
      run(checkFireEvent([eventType, eventData]), ([type, data]) =>
        withOptional({ type: "fire_event", event_type: type }, "event_data", data), decodeFireEvent, options),
    validateConfig: (config, options) =>
      run(checkValidateConfig(config), (parts) => {
        let message: CommandMessage = { type: "validate_config" }
        for (const key of ["trigger", "condition", "action"] as const) message = withOptional(message, key, parts[key])
        return message
      }, decodeValidation, options),
    testCondition: (condition, variables, options) =>
      run(checkTestCondition([condition, variables]), ([checkedCondition, vars]) =>
        withOptional({ type: "test_condition", condition: checkedCondition }, "variables", vars), decodeCondition, options)
  }
}
