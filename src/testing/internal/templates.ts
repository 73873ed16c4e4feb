/**
 * The simulator's `render_template` and `subscribe_trigger`: a small documented subset. Templates: plain text with
 * `{{ states('domain.object') }}` and `{{ state_attr('domain.object', 'attribute') }}`; anything else in `{{ }}` is
 * rendered as HA reports an error. Triggers: `platform: state` with `entity_id` (one or a list), optional `from`/`to`.
 */
import type { HassEntity } from "../../homeassistant/messages.js"

const EXPRESSION = /\{\{\s*(.*?)\s*\}\}/g
const STATES = /^states\(\s*'([^']+)'\s*\)$/
const STATE_ATTR = /^state_attr\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)$/

/** A rendering: the text and the entities it read, or HA's error event. */
export type Rendered =
  | { readonly result: string; readonly listeners: { all: false; domains: []; entities: Array<string>; time: false } }
  | { readonly error: string; readonly level: "ERROR" }

/** Renders `template` over `states`. */
export const renderTemplate = (template: string, states: ReadonlyMap<string, HassEntity>): Rendered => {
  const entities: Array<string> = []
  let error: string | undefined
  const result = template.replace(EXPRESSION, (_, expression: string) => {
    const state = STATES.exec(expression)
    if (state !== null) {
      entities.push(state[1]!)
      return states.get(state[1]!)?.state ?? "unknown"
    }
    const attr = STATE_ATTR.exec(expression)
    if (attr !== null) {
      entities.push(attr[1]!)
      const value = states.get(attr[1]!)?.attributes[attr[2]!]
      return value === undefined || value === null ? "None" : String(value)
    }
    error ??= `TemplateSyntaxError: '${expression}' is not supported by the simulator`
    return ""
  })
  return error === undefined
    ? { result, listeners: { all: false, domains: [], entities: [...new Set(entities)], time: false } }
    : { error, level: "ERROR" }
}

const asList = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.map(String) : []

/** The trigger variables a `platform: state` trigger gives for this change, or `undefined` if it does not fire. */
export const fireStateTrigger = (
  trigger: Readonly<Record<string, unknown>>,
  change: { readonly entity_id: string; readonly old_state: HassEntity | null; readonly new_state: HassEntity | null }
): Record<string, unknown> | undefined => {
  if (trigger.platform !== "state" || !asList(trigger.entity_id).includes(change.entity_id)) return undefined
  if (trigger.to !== undefined && change.new_state?.state !== trigger.to) return undefined
  if (trigger.from !== undefined && change.old_state?.state !== trigger.from) return undefined
  return {
    trigger: {
      id: "0",
      idx: "0",
      alias: null,
      platform: "state",
      entity_id: change.entity_id,
      from_state: change.old_state,
      to_state: change.new_state,
      for: null,
      attribute: null,
      description: `state of ${change.entity_id}`
    }
  }
}
