/**
 * Home Assistant's conversation agent over the WebSocket API (`conversation/process`): text in, HA's answer out,
 * decoded at the edge. An answer HA could not act on (`no_intent_match`, `no_valid_targets`) is still an answer:
 * `response_type: "error"` with its `code`, and the sentence HA would speak.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { InvalidMessage } from "../core/errors.js"
import type { CommandError } from "./errors.js"
import type { CommandMessage } from "./messages.js"
import { checkArgument, decodeResult } from "./schemas.js"

const extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** One target of an intent: an entity, area, device... that HA acted on or answered about. */
export const IntentTarget = Schema.Struct({ name: Schema.String, type: Schema.String, id: Schema.NullishOr(Schema.String) }, extra)

const Speech = Schema.NullishOr(Schema.Record({ key: Schema.String, value: Schema.Struct({ speech: Schema.String }, extra) }))

const Targets = Schema.Struct({
  targets: Schema.Array(IntentTarget),
  success: Schema.Array(IntentTarget),
  failed: Schema.Array(IntentTarget)
}, extra)

const responseOf = <T extends string, D extends Schema.Schema.Any>(type: T, data: D) =>
  Schema.Struct({
    response_type: Schema.Literal(type),
    language: Schema.String,
    speech: Speech,
    card: Schema.optional(Schema.Unknown),
    data
  }, extra)

/**
 * HA's intent response: `action_done` and `query_answer` with their targets, or `error` with its `code`
 * (`no_intent_match`, `no_valid_targets`, `failed_to_handle`, `unknown`). `speech.plain.speech` is what HA says.
 */
export const ConversationResponse = Schema.Union(
  responseOf("action_done", Targets),
  responseOf("query_answer", Targets),
  responseOf("error", Schema.Struct({ code: Schema.String }, extra))
)
/** The decoded intent response. */
export type ConversationResponse = typeof ConversationResponse.Type

/** The result of `conversation/process` (and an Assist run's `intent-end`): the response and the conversation's id. */
export const ConversationResult = Schema.Struct({
  response: ConversationResponse,
  conversation_id: Schema.NullishOr(Schema.String),
  continue_conversation: Schema.optional(Schema.Boolean)
}, extra)
/** The decoded conversation result. */
export type ConversationResult = typeof ConversationResult.Type

/** What HA would say for `result` (`response.speech.plain.speech`), or `""` when it says nothing. */
export const spokenAnswer = (result: ConversationResult): string => result.response.speech?.plain?.speech ?? ""

/** Options of `conversationProcess`. */
export interface ConversationOptions {
  /** Continue this conversation (the `conversation_id` of an earlier answer). */
  readonly conversationId?: string
  /** The language of `text`, such as `"en"`; default HA's. */
  readonly language?: string
  /** The conversation agent, such as `"conversation.home_assistant"`; default HA's. */
  readonly agentId?: string
  /** The device the text came from, for area-aware answers. */
  readonly deviceId?: string
}

const checkProcess = checkArgument(
  Schema.Tuple(
    Schema.String,
    Schema.Struct({
      conversationId: Schema.optional(Schema.String),
      language: Schema.optional(Schema.String),
      agentId: Schema.optional(Schema.String),
      deviceId: Schema.optional(Schema.String)
    })
  ),
  "conversationProcess"
)

const decodeProcess = decodeResult(ConversationResult, "conversation/process")

/** `conversation/process`: `text` to HA's conversation agent; its answer decoded (an unmatched intent included). */
export const conversationProcess = (send: (message: CommandMessage) => Effect.Effect<unknown, CommandError>) =>
(text: string, options: ConversationOptions = {}): Effect.Effect<ConversationResult, CommandError | InvalidMessage> =>
  Effect.suspend(() => {
    const checked = checkProcess([text, options])
    if (Either.isLeft(checked)) return Effect.fail(checked.left)
    const [input, { agentId, conversationId, deviceId, language }] = checked.right
    const message: { type: string; [key: string]: unknown } = { type: "conversation/process", text: input }
    if (conversationId !== undefined) message.conversation_id = conversationId
    if (language !== undefined) message.language = language
    if (agentId !== undefined) message.agent_id = agentId
    if (deviceId !== undefined) message.device_id = deviceId
    return Effect.flatMap(send(message), decodeProcess)
  })
