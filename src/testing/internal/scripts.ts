/**
 * The simulator's script commands, as HA core's `websocket_api` answers them: `execute_script`, `fire_event`,
 * `validate_config` and `test_condition`, over a small documented subset of HA's syntax.
 * - Actions: `action` (or the older `service`) with `target`, `data` and `response_variable`; `variables`; `event`
 *   with `event_data`; `stop` with `response_variable` (the script's response) or `error: true`; a condition.
 * - Conditions: `state`, `numeric_state`, `template` (`is_state(...)`, `states(...)`, `state_attr(...)`, a
 *   variable), `and`, `or`, `not`. HA's other conditions validate, and testing them is an error.
 * - A value that is only `{{ name }}` (`{{ a.b }}`, `{{ a['b.c'] }}`) is that variable, its type kept (HA's native types).
 * Anything else is refused as HA refuses it: `invalid_format`, and nothing runs.
 */
import type { HassContext } from "../../homeassistant/messages.js"
import type { Client, SimulatorWorld } from "./commands.js"
import { makeContext, type StateChange } from "./home.js"
import { renderTemplate } from "./templates.js"

/** The broadcasts of `commands.ts`, passed in so the two files do not import each other. */
export interface Broadcasts {
  readonly broadcast: (world: SimulatorWorld, eventType: string, data: Record<string, unknown>, context?: HassContext) => void
  readonly broadcastEntityChange: (world: SimulatorWorld, change: StateChange) => void
}

type Json = Record<string, unknown>
type Failure = { readonly code: string; readonly message: string; readonly [key: string]: unknown }

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)
const listOf = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [value])
const result = (id: number, value: unknown) => ({ id, type: "result", success: true, result: value })
const failed = (id: number, { code, message, ...extra }: Failure) => ({
  id,
  type: "result",
  success: false,
  error: { code, message, ...extra }
})
const invalid = (message: string): Failure => ({ code: "invalid_format", message })

/** HA's conditions; the simulator evaluates and, or, not, state, numeric_state and template. */
const CONDITIONS = ["and", "device", "not", "numeric_state", "or", "state", "sun", "template", "time", "trigger", "zone"]
const TRIGGERS = new Set(["state", "numeric_state", "event", "time", "time_pattern", "homeassistant", "template", "sun", "zone", "device", "webhook", "mqtt", "calendar", "tag"])
const SERVICE = /^[\da-z_]+\.[\da-z_]+$/
const VARIABLE = /^\{\{\s*([A-Za-z_]\w*(?:\.\w+|\['[^']+'\])*)\s*\}\}$/
const PATH_KEY = /\.(\w+)|\['([^']+)'\]|^(\w+)/g
const IS_STATE = /^\{\{\s*is_state\(\s*'([^']+)'\s*,\s*'([^']*)'\s*\)\s*\}\}$/

const required = (config: Json, key: string, path: string): string | undefined =>
  config[key] === undefined ? `required key not provided @ ${path}['${key}']` : undefined

/** Why `condition` is not a condition HA accepts, or `undefined`. */
const conditionError = (condition: unknown, path: string): string | undefined => {
  if (typeof condition === "string") return condition.includes("{{") ? undefined : `expected a dictionary @ ${path}`
  if (!isObject(condition)) return `expected a dictionary @ ${path}`
  const kind = condition.condition
  if (typeof kind !== "string" || !CONDITIONS.includes(kind)) {
    return `Unexpected value for condition: '${String(kind)}'. Expected ${CONDITIONS.slice(0, -1).join(", ")}, or zone @ ${path}`
  }
  switch (kind) {
    case "state":
      return required(condition, "entity_id", path) ?? required(condition, "state", path)
    case "numeric_state":
      return required(condition, "entity_id", path) ??
        (condition.above === undefined && condition.below === undefined ? `must contain at least one of below, above. @ ${path}` : undefined)
    case "template":
      return typeof condition.value_template === "string" ? undefined : `required key not provided @ ${path}['value_template']`
    case "and":
    case "or":
    case "not":
      return listOf(condition.conditions).map((c, i) => conditionError(c, `${path}['conditions'][${i}]`)).find((e) => e !== undefined)
    default:
      return undefined
  }
}

/** Why `action` is not an action HA accepts (as far as the simulator knows), or `undefined`. */
const actionError = (action: unknown, path: string): string | undefined => {
  if (!isObject(action)) return `expected a dictionary @ ${path}`
  const service = action.action ?? action.service
  if (service !== undefined) {
    if (typeof service !== "string" || !SERVICE.test(service)) return `Service ${String(service)} does not match format <domain>.<name> @ ${path}`
    if (action.data !== undefined && !isObject(action.data)) return `expected a dictionary @ ${path}['data']`
    return action.target !== undefined && !isObject(action.target) ? `expected a dictionary @ ${path}['target']` : undefined
  }
  if (action.variables !== undefined) return isObject(action.variables) ? undefined : `expected a dictionary @ ${path}['variables']`
  if (action.event !== undefined) return typeof action.event === "string" ? undefined : `expected str @ ${path}['event']`
  if (action.stop !== undefined) return typeof action.stop === "string" ? undefined : `expected str @ ${path}['stop']`
  if (action.condition !== undefined) return conditionError(action, path)
  return `Unable to determine action @ ${path}`
}

const sequenceError = (sequence: unknown, path: string): string | undefined =>
  listOf(sequence).map((action, i) => actionError(action, `${path}[${i}]`)).find((e) => e !== undefined)

/** Why `trigger` is not a trigger HA accepts (as far as the simulator knows), or `undefined`. */
const triggerError = (trigger: unknown, path: string): string | undefined => {
  if (!isObject(trigger)) return `expected a dictionary @ ${path}`
  // `trigger` since HA 2024.10, `platform` before (both accepted).
  const kind = trigger.trigger ?? trigger.platform
  if (kind === undefined) return `required key not provided @ ${path}['trigger']`
  if (typeof kind !== "string" || !TRIGGERS.has(kind)) return `Invalid trigger '${String(kind)}' specified`
  if (kind === "state" || kind === "numeric_state") return required(trigger, "entity_id", path)
  return kind === "event" ? required(trigger, "event_type", path) : undefined
}

/** `value` with every `{{ name }}` string replaced by that variable (`""` when unset, as HA renders it). */
const resolve = (value: unknown, variables: Json): unknown => {
  if (typeof value === "string") {
    const name = VARIABLE.exec(value)?.[1]
    if (name === undefined) return value
    const keys = [...name.matchAll(PATH_KEY)].map((m) => m[1] ?? m[2] ?? m[3] ?? "")
    const found = keys.reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), variables)
    return found === undefined ? "" : found
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, variables))
  return isObject(value) ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, variables)])) : value
}

// HA's `result_as_boolean`: true, "true", "yes", "on", "enable", or a number other than 0.
const asBoolean = (value: unknown): boolean => {
  if (typeof value === "boolean") return value
  const text = String(value).trim().toLowerCase()
  return ["true", "yes", "on", "enable"].includes(text) || (text !== "" && Number(text) !== 0 && !Number.isNaN(Number(text)))
}

/** Evaluates a (valid) condition over the home's states: a boolean, or HA's error. */
const evaluate = (world: SimulatorWorld, condition: unknown, variables: Json): boolean | Failure => {
  const states = world.home.states
  const template = typeof condition === "string" ? condition : isObject(condition) ? condition.value_template : undefined
  const kind = isObject(condition) ? condition.condition : "template"
  const c = isObject(condition) ? condition : {}
  const read = (entityId: unknown): unknown => {
    const state = states.get(String(entityId))
    return typeof c.attribute === "string" ? state?.attributes[c.attribute] : state?.state
  }
  switch (kind) {
    case "state": {
      const wanted = listOf(resolve(c.state, variables)).map(String)
      return listOf(c.entity_id).every((id) => read(id) !== undefined && wanted.includes(String(read(id))))
    }
    case "numeric_state": {
      const bound = (limit: unknown) => (typeof limit === "string" && states.has(limit) ? Number(states.get(limit)?.state) : Number(limit))
      return listOf(c.entity_id).every((id) => {
        const value = Number.parseFloat(String(read(id)))
        return !Number.isNaN(value) && (c.above === undefined || value > bound(c.above)) && (c.below === undefined || value < bound(c.below))
      })
    }
    case "template": {
      const text = String(template)
      const isState = IS_STATE.exec(text)
      if (isState !== null) return states.get(isState[1]!)?.state === isState[2]
      if (VARIABLE.test(text)) return asBoolean(resolve(text, variables))
      const rendered = renderTemplate(text, states)
      return "error" in rendered ? { code: "home_assistant_error", message: `Error in 'template' condition: ${rendered.error}` } : asBoolean(rendered.result)
    }
    case "and":
    case "or":
    case "not": {
      const outcomes = listOf(c.conditions).map((inner) => evaluate(world, inner, variables))
      const failure = outcomes.find((o) => typeof o !== "boolean")
      if (failure !== undefined) return failure
      return kind === "and" ? outcomes.every(Boolean) : kind === "or" ? outcomes.some(Boolean) : !outcomes.some(Boolean)
    }
    default:
      return { code: "home_assistant_error", message: `the simulator does not evaluate '${String(kind)}' conditions` }
  }
}

/** Runs a (valid) sequence: its events and state changes are queued as they happen; the response, or HA's error. */
const runScript = (
  world: SimulatorWorld,
  broadcasts: Broadcasts,
  sequence: unknown,
  variables: Json,
  context: HassContext
): { readonly response: unknown } | Failure => {
  for (const action of listOf(sequence) as ReadonlyArray<Json>) {
    const service = action.action ?? action.service
    if (typeof service === "string") {
      const [domain = "", name = ""] = service.split(".")
      const data = resolve(action.data ?? {}, variables) as Json
      const responseVariable = typeof action.response_variable === "string" ? action.response_variable : undefined
      const outcome = world.home.callService(domain, name, data, resolve(action.target ?? {}, variables) as Json, responseVariable !== undefined, context)
      if (outcome._tag === "Error") {
        // A script's unknown action is a ServiceValidationError in HA (ServiceNotFound is one).
        const { code, message, ...extra } = outcome.error
        return { ...extra, code: code === "not_found" ? "service_validation_error" : String(code), message: String(message) }
      }
      broadcasts.broadcast(world, "call_service", { domain, service: name, service_data: data }, context)
      for (const change of outcome.changes) {
        broadcasts.broadcast(world, "state_changed", change as StateChange & Json, context)
        broadcasts.broadcastEntityChange(world, change)
      }
      if (responseVariable !== undefined) variables[responseVariable] = outcome.response
    } else if (action.variables !== undefined) {
      for (const [key, value] of Object.entries(action.variables as Json)) variables[key] = resolve(value, variables)
    } else if (typeof action.event === "string") {
      broadcasts.broadcast(world, action.event, resolve(action.event_data ?? {}, variables) as Json, context)
    } else if (typeof action.stop === "string") {
      if (action.error === true) return { code: "home_assistant_error", message: action.stop }
      return { response: typeof action.response_variable === "string" ? variables[action.response_variable] ?? null : null }
    } else {
      const passed = evaluate(world, action, variables)
      if (passed !== true) return passed === false ? { response: null } : passed
    }
  }
  return { response: null }
}

const before2023_7 = (version: string): boolean => {
  const [year = 0, month = 0] = version.split(".").map(Number)
  return year < 2023 || (year === 2023 && month < 7)
}

/** Answers `execute_script`, `fire_event`, `validate_config` or `test_condition` as HA core does. */
export const handleScriptCommand = (
  world: SimulatorWorld,
  client: Client,
  id: number,
  type: string,
  message: Json,
  broadcasts: Broadcasts
): void => {
  const answer = (outcome: Failure | { readonly value: unknown }) => {
    world.enqueue(client, "value" in outcome ? result(id, outcome.value) : failed(id, outcome))
    world.flushAll()
  }
  const variables = message.variables
  if (variables !== undefined && !isObject(variables)) return answer(invalid("expected dict for dictionary value @ data['variables']"))
  switch (type) {
    case "execute_script": {
      const problem = message.sequence === undefined ? "required key not provided @ data['sequence']" : sequenceError(message.sequence, "data['sequence']")
      if (problem !== undefined) return answer(invalid(problem))
      const context = makeContext("simulated-user")
      const outcome = runScript(world, broadcasts, message.sequence, { ...variables }, context)
      if (!("response" in outcome)) return answer(outcome)
      return answer({ value: before2023_7(world.haVersion) ? { context } : { context, response: outcome.response } })
    }
    case "fire_event": {
      if (typeof message.event_type !== "string") return answer(invalid("required key not provided @ data['event_type']"))
      if (message.event_data !== undefined && !isObject(message.event_data)) {
        return answer(invalid("expected dict for dictionary value @ data['event_data']"))
      }
      const context = makeContext("simulated-user")
      broadcasts.broadcast(world, message.event_type, message.event_data ?? {}, context)
      return answer({ value: { context } })
    }
    case "validate_config": {
      const verdicts: Json = {}
      const checks = [["trigger", triggerError], ["condition", conditionError], ["action", actionError]] as const
      for (const [key, check] of checks) {
        if (message[key] === undefined) continue
        const parts = message[key]
        const error = listOf(parts).map((part, i) => check(part, Array.isArray(parts) ? `data[${i}]` : "data")).find((e) => e !== undefined)
        verdicts[key] = { valid: error === undefined, error: error ?? null }
      }
      return answer({ value: verdicts })
    }
    default: { // test_condition
      const problem = message.condition === undefined ? "required key not provided @ data['condition']" : conditionError(message.condition, "data['condition']")
      if (problem !== undefined) return answer(invalid(problem))
      const outcome = evaluate(world, message.condition, { ...variables })
      return answer(typeof outcome === "boolean" ? { value: { result: outcome } } : outcome)
    }
  }
}
