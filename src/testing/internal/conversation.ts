/**
 * The simulator's conversation agent over its home, answering as HA's default agent does in English: "turn on / turn
 * off [the] <name>" (really changing the entity), "what is the <name>" (its state with unit), and HA's
 * `no_intent_match` or `no_valid_targets` answers otherwise, in HA's `ConversationResult` shape.
 */
import { type Home, makeContext, type StateChange } from "./home.js"

/** What the agent did with one sentence: HA's result, and the state changes it made. */
export interface Conversed {
  readonly result: Record<string, unknown>
  readonly changes: ReadonlyArray<StateChange>
}

let nextConversation = 0

const conversationId = (given: unknown): string =>
  typeof given === "string" && given !== "" ? given : `01SIMCONV${String(++nextConversation).padStart(17, "0")}`

const normalise = (text: string) => text.toLowerCase().replace(/[?.!]+\s*$/, "").replace(/\s+/g, " ").trim()

/** The entity a sentence names: its friendly name, that name with its domain ("kitchen light"), or its object id. */
const find = (home: Home, name: string, domains?: ReadonlySet<string>) => {
  for (const state of home.states.values()) {
    const domain = state.entity_id.split(".")[0] ?? ""
    if (domains !== undefined && !domains.has(domain)) continue
    const friendly = typeof state.attributes.friendly_name === "string" ? state.attributes.friendly_name.toLowerCase() : undefined
    const objectId = state.entity_id.slice(domain.length + 1).replaceAll("_", " ")
    if ([friendly, friendly === undefined ? undefined : `${friendly} ${domain}`, objectId].includes(name)) return state
  }
  return undefined
}

const TOGGLEABLE: ReadonlySet<string> = new Set(["light", "switch"])

const answer = (
  speech: string,
  responseType: "action_done" | "query_answer" | "error",
  data: Record<string, unknown>,
  language: string,
  id: string
): Record<string, unknown> => ({
  response: { speech: { plain: { speech, extra_data: null } }, card: {}, language, response_type: responseType, data },
  conversation_id: id,
  continue_conversation: false
})

const targetOf = (entityId: string, name: string) => ({ targets: [], success: [{ name, type: "entity", id: entityId }], failed: [] })

/** Answers `text` as HA's agent would, changing the home when asked to. */
export const converse = (home: Home, text: string, givenId: unknown, givenLanguage: unknown): Conversed => {
  const id = conversationId(givenId)
  const language = typeof givenLanguage === "string" && givenLanguage !== "" ? givenLanguage : "en"
  const sentence = normalise(text)
  const unknownDevice = (name: string): Conversed => ({
    result: answer(`Sorry, I am not aware of any device called ${name}`, "error", { code: "no_valid_targets" }, language, id),
    changes: []
  })
  const turn = /^turn (on|off) (?:the )?(.+)$/.exec(sentence)
  if (turn !== null) {
    const [, onOff = "on", name = ""] = turn
    const state = find(home, name, TOGGLEABLE)
    if (state === undefined) return unknownDevice(name)
    const domain = state.entity_id.split(".")[0] ?? ""
    const outcome = home.callService(domain, `turn_${onOff}`, {}, { entity_id: state.entity_id }, false, makeContext("simulated-user"))
    const friendly = String(state.attributes.friendly_name ?? state.entity_id)
    return {
      result: answer(`Turned ${onOff} the ${domain}`, "action_done", targetOf(state.entity_id, friendly), language, id),
      changes: outcome._tag === "Done" ? outcome.changes : []
    }
  }
  const query = /^what(?: is|'s) (?:the )?(.+)$/.exec(sentence)
  if (query !== null) {
    const name = query[1] ?? ""
    const state = find(home, name)
    if (state === undefined) return unknownDevice(name)
    const friendly = String(state.attributes.friendly_name ?? state.entity_id)
    const unit = typeof state.attributes.unit_of_measurement === "string" ? ` ${state.attributes.unit_of_measurement}` : ""
    return {
      result: answer(`${friendly} is ${state.state}${unit}`, "query_answer", targetOf(state.entity_id, friendly), language, id),
      changes: []
    }
  }
  return { result: answer("Sorry, I couldn't understand that", "error", { code: "no_intent_match" }, language, id), changes: [] }
}
