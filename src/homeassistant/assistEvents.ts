/**
 * The wire shapes of Home Assistant's Assist pipeline (homeassistant/components/assist_pipeline): the events of an
 * `assist_pipeline/run` (`{ type, data, timestamp }`, HA's `PipelineEvent`) and the pipelines of
 * `assist_pipeline/pipeline/list`, as Schemas. Unknown extra fields are kept; an event type this client does not
 * know (HA adds some) passes through as `AssistOtherEvent`.
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidMessage } from "../core/errors.js"
import { ConversationResult } from "./conversation.js"

const extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const event = <T extends string, D extends Schema.Schema.Any>(type: T, data: D) =>
  Schema.Struct({ type: Schema.Literal(type), data, timestamp: Schema.String }, extra)

const loose = Schema.NullishOr(extra)

/** `run-start`: the run's pipeline and language, and (for audio) the handler id its binary frames carry. */
export const AssistRunStart = event(
  "run-start",
  Schema.Struct({
    pipeline: Schema.String,
    language: Schema.String,
    runner_data: Schema.optional(
      Schema.Struct({ stt_binary_handler_id: Schema.NullOr(Schema.Number), timeout: Schema.Number }, extra)
    )
  }, extra)
)
/** `wake_word-start` / `wake_word-end`: a wake-word stage (runs that start at `wake_word`). */
export const AssistWakeWordStart = event("wake_word-start", extra)
/** See `AssistWakeWordStart`. */
export const AssistWakeWordEnd = event("wake_word-end", extra)
/** `stt-start`: speech-to-text began, with its engine and the audio's metadata. */
export const AssistSttStart = event("stt-start", Schema.Struct({ engine: Schema.String, metadata: extra }, extra))
/** `stt-vad-start` / `stt-vad-end`: voice activity began or ended, at `timestamp` ms into the audio. */
export const AssistSttVadStart = event("stt-vad-start", Schema.Struct({ timestamp: Schema.Number }, extra))
/** See `AssistSttVadStart`. */
export const AssistSttVadEnd = event("stt-vad-end", Schema.Struct({ timestamp: Schema.Number }, extra))
/** `stt-end`: the transcript (`stt_output.text`). */
export const AssistSttEnd = event("stt-end", Schema.Struct({ stt_output: Schema.Struct({ text: Schema.String }, extra) }, extra))
/** `intent-start`: the conversation agent got `intent_input`. */
export const AssistIntentStart = event(
  "intent-start",
  Schema.Struct({ engine: Schema.String, language: Schema.String, intent_input: Schema.String }, extra)
)
/** `intent-progress`: a streaming agent's partial answer (HA 2025.3+), as HA sends it. */
export const AssistIntentProgress = event("intent-progress", loose)
/** `intent-end`: the conversation's answer (`intent_output`) with its `conversation_id`. */
export const AssistIntentEnd = event("intent-end", Schema.Struct({ intent_output: ConversationResult }, extra))
/** `tts-start`: text-to-speech began on `tts_input`. */
export const AssistTtsStart = event("tts-start", Schema.Struct({ engine: Schema.String, tts_input: Schema.String }, extra))
/** `tts-end`: the spoken answer's audio, at `tts_output.url` (often a path on HA: `signedUrl` makes it fetchable). */
export const AssistTtsEnd = event(
  "tts-end",
  Schema.Struct({ tts_output: Schema.Struct({ url: Schema.String, mime_type: Schema.String }, extra) }, extra)
)
/** `run-end`: the run is over; the Stream ends after it. */
export const AssistRunEnd = event("run-end", loose)
const UnknownEvent = Schema.Struct({ type: Schema.String, data: Schema.Unknown, timestamp: Schema.String })

/** An event of a type this client does not know (HA adds some): `name` is its `type` on the wire. */
export interface AssistOtherEvent {
  readonly type: "other"
  readonly name: string
  readonly data: unknown
  readonly timestamp: string
}
/** `error`: the run failed; the Stream fails with `AssistPipelineError` instead of emitting it. */
const AssistErrorEvent = event("error", Schema.Struct({ code: Schema.String, message: Schema.String }, extra))

const known = {
  "run-start": AssistRunStart,
  "wake_word-start": AssistWakeWordStart,
  "wake_word-end": AssistWakeWordEnd,
  "stt-start": AssistSttStart,
  "stt-vad-start": AssistSttVadStart,
  "stt-vad-end": AssistSttVadEnd,
  "stt-end": AssistSttEnd,
  "intent-start": AssistIntentStart,
  "intent-progress": AssistIntentProgress,
  "intent-end": AssistIntentEnd,
  "tts-start": AssistTtsStart,
  "tts-end": AssistTtsEnd,
  "run-end": AssistRunEnd,
  error: AssistErrorEvent
} as const

/** One event of an Assist run, decoded; `type` tells them apart. (`error` is the Stream's failure, not an event.) */
export type AssistEvent =
  | typeof AssistRunStart.Type
  | typeof AssistWakeWordStart.Type
  | typeof AssistWakeWordEnd.Type
  | typeof AssistSttStart.Type
  | typeof AssistSttVadStart.Type
  | typeof AssistSttVadEnd.Type
  | typeof AssistSttEnd.Type
  | typeof AssistIntentStart.Type
  | typeof AssistIntentProgress.Type
  | typeof AssistIntentEnd.Type
  | typeof AssistTtsStart.Type
  | typeof AssistTtsEnd.Type
  | typeof AssistRunEnd.Type
  | AssistOtherEvent

/** What decoding an event gives: an event, or HA's `error` event's code and message. */
export type DecodedAssistEvent = AssistEvent | { readonly type: "error"; readonly data: { readonly code: string; readonly message: string } }

const decoders = Object.fromEntries(
  Object.entries(known).map(([type, schema]) => [type, Schema.decodeUnknown(schema as Schema.Schema<unknown, unknown>)])
) as Record<string, (input: unknown) => Effect.Effect<unknown, ParseResult.ParseError>>
const decodeOther = (input: unknown) =>
  Effect.map(Schema.decodeUnknown(UnknownEvent)(input), ({ data, timestamp, type }): AssistOtherEvent => ({
    type: "other",
    name: type,
    data,
    timestamp
  }))

/** Decodes one event of an `assist_pipeline/run`; a known type that does not match is `InvalidMessage`. */
export const decodeAssistEvent = (input: unknown): Effect.Effect<DecodedAssistEvent, InvalidMessage> => {
  const type = typeof input === "object" && input !== null ? (input as { readonly type?: unknown }).type : undefined
  const decode = typeof type === "string" && Object.hasOwn(decoders, type) ? decoders[type]! : decodeOther
  return Effect.mapError(decode(input) as Effect.Effect<unknown, ParseResult.ParseError>, (error) =>
    new InvalidMessage({
      reason: `an event of assist_pipeline/run does not match its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    })) as Effect.Effect<DecodedAssistEvent, InvalidMessage>
}

/** One Assist pipeline, as `assist_pipeline/pipeline/list` describes it (no STT or TTS engine: `null`). */
export const AssistPipeline = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  language: Schema.String,
  conversation_engine: Schema.String,
  stt_engine: Schema.NullishOr(Schema.String),
  tts_engine: Schema.NullishOr(Schema.String)
}, extra)
/** One decoded Assist pipeline. */
export type AssistPipeline = typeof AssistPipeline.Type

/** `assist_pipeline/pipeline/list`: every pipeline and the preferred one's id. */
export const AssistPipelines = Schema.Struct({
  pipelines: Schema.Array(AssistPipeline),
  preferred_pipeline: Schema.NullishOr(Schema.String)
}, extra)
/** The decoded pipeline list. */
export type AssistPipelines = typeof AssistPipelines.Type
