/**
 * Assist over the WebSocket API (`assist_pipeline/run`), as HA's frontend runs it: text or audio in, the pipeline's
 * events out as a Stream, ending after `run-end`; HA's `error` event fails it with `AssistPipelineError`. Audio is
 * 16 kHz mono 16-bit PCM, sent in binary frames behind the handler id `run-start` names, each write awaited, so the
 * socket's backpressure paces the caller's Stream. A run is never sent twice: a lost connection fails its Stream
 * with `ConnectionLost`.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { InvalidMessage, InvalidOption } from "../core/errors.js"
import { AssistPipelineError, type CommandError, ConnectionLost, type Disconnected } from "./errors.js"
import { type AssistEvent, type AssistPipelines, decodeAssistEvent } from "./assistEvents.js"
import { audioFrames } from "./internal/audioFrames.js"
import type { CommandMessage } from "./messages.js"

/** The stages of a pipeline, in order. */
export type AssistStage = "wake_word" | "stt" | "intent" | "tts"

const STAGES: ReadonlyArray<AssistStage> = ["wake_word", "stt", "intent", "tts"]

/** What an Assist run hears: text, or audio (16 kHz mono 16-bit little-endian PCM, in chunks of any size). */
export type AssistInput<E = never> = { readonly text: string } | { readonly audio: Stream.Stream<Uint8Array, E> }

/** Options of `assist`. */
export interface AssistOptions<E = never> {
  readonly input: AssistInput<E>
  /** Where the run starts: `intent` (default for text) or `tts`; `stt` (default for audio) or `wake_word`. */
  readonly startStage?: AssistStage
  /** Where it ends: `stt`, `intent` (default) or `tts` (for the spoken answer's audio URL). */
  readonly endStage?: "stt" | "intent" | "tts"
  /** The pipeline's id (`listPipelines`); default HA's preferred one. */
  readonly pipeline?: string
  /** Continue this conversation (an earlier `intent-end`'s `conversation_id`). */
  readonly conversationId?: string
  /** Run the pipeline that speaks this language (HA's run takes no language: the pipeline carries it). */
  readonly language?: string
  /** The device the request came from, for area-aware answers. */
  readonly deviceId?: string
}

/** How an Assist run can fail: a command's failures, or the pipeline's own `error` event. */
export type AssistError = CommandError | AssistPipelineError

/** What `assist` needs of the client. */
export interface AssistClient {
  readonly subscribe: (message: CommandMessage, options: { readonly resubscribe: false }) => Stream.Stream<unknown, CommandError>
  readonly sendBinary: (bytes: Uint8Array) => Effect.Effect<void, ConnectionLost | Disconnected | InvalidMessage>
  readonly listPipelines: Effect.Effect<AssistPipelines, CommandError>
}

interface Checked<E> {
  readonly text: string | undefined
  readonly audio: Stream.Stream<Uint8Array, E> | undefined
  readonly startStage: AssistStage
  readonly endStage: AssistStage
  readonly pipeline: string | undefined
  readonly conversationId: string | undefined
  readonly language: string | undefined
  readonly deviceId: string | undefined
}

const bad = (reason: string) => Either.left(new InvalidMessage({ reason: `assist: ${reason}` }))
const isStage = (value: unknown): value is AssistStage => typeof value === "string" && STAGES.includes(value as AssistStage)
const isStream = (value: unknown): value is Stream.Stream<Uint8Array, unknown> =>
  typeof value === "object" && value !== null && Stream.StreamTypeId in value

/** The caller's options, checked: bad input (from untyped callers too) is `InvalidMessage`, and nothing is sent. */
const check = <E>(options: AssistOptions<E>): Either.Either<Checked<E>, InvalidMessage | InvalidOption> => {
  if (typeof options !== "object" || options === null) return bad("options must be an object")
  const input = options.input as unknown
  if (typeof input !== "object" || input === null) return bad("input must be { text } or { audio }")
  const text = (input as { readonly text?: unknown }).text
  const audio = (input as { readonly audio?: unknown }).audio
  if ((text === undefined) === (audio === undefined)) return bad("input must hold either text or audio")
  if (text !== undefined && typeof text !== "string") return bad("input.text must be a string")
  if (audio !== undefined && !isStream(audio)) return bad("input.audio must be a Stream of Uint8Array")
  const startStage = options.startStage ?? (text === undefined ? "stt" : "intent")
  const endStage: unknown = options.endStage ?? "intent"
  if (!isStage(startStage) || !isStage(endStage)) return bad(`stages are ${STAGES.join(", ")}`)
  if (endStage === "wake_word") return bad("a run cannot end at wake_word")
  if (STAGES.indexOf(endStage) < STAGES.indexOf(startStage)) return bad(`endStage ${endStage} comes before startStage ${startStage}`)
  const audioStage = startStage === "wake_word" || startStage === "stt"
  if (audioStage !== (audio !== undefined)) return bad(`startStage ${startStage} takes ${audioStage ? "audio" : "text"} input`)
  for (const name of ["pipeline", "conversationId", "language", "deviceId"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "string") return bad(`${name} must be a string`)
  }
  if (options.pipeline !== undefined && options.language !== undefined) {
    return Either.left(new InvalidOption({ option: "language", reason: "a pipeline has its own language: give pipeline or language, not both" }))
  }
  return Either.right({
    text: text as string | undefined,
    audio: audio as Stream.Stream<Uint8Array, E> | undefined,
    startStage,
    endStage,
    pipeline: options.pipeline,
    conversationId: options.conversationId,
    language: options.language,
    deviceId: options.deviceId
  })
}

const primary = (language: string) => language.toLowerCase().split(/[-_]/)[0]

/** The pipeline that speaks `language`: the preferred one if it does, else the first that does. */
const pipelineFor = (client: AssistClient, language: string) =>
  Effect.flatMap(client.listPipelines, ({ pipelines, preferred_pipeline }) => {
    const speaks = pipelines.filter((pipeline) => primary(pipeline.language) === primary(language))
    const chosen = speaks.find((pipeline) => pipeline.id === preferred_pipeline) ?? speaks[0]
    return chosen === undefined
      ? Effect.fail(new InvalidOption({ option: "language", reason: `no Assist pipeline speaks ${language}` }))
      : Effect.succeed(chosen.id)
  })

const runMessage = <E>(run: Checked<E>, pipeline: string | undefined): CommandMessage => {
  const message: { type: string; [key: string]: unknown } = {
    type: "assist_pipeline/run",
    start_stage: run.startStage,
    end_stage: run.endStage,
    input: run.text === undefined ? { sample_rate: 16_000 } : { text: run.text }
  }
  if (pipeline !== undefined) message.pipeline = pipeline
  if (run.conversationId !== undefined) message.conversation_id = run.conversationId
  if (run.deviceId !== undefined) message.device_id = run.deviceId
  return message
}

const RUN = "assist_pipeline/run"

/** The handler id of an audio run's `run-start`: a byte from 1 (HA numbers a connection's handlers from 1). */
const handlerIdOf = (event: AssistEvent): number | InvalidMessage => {
  const id = event.type === "run-start" ? event.data.runner_data?.stt_binary_handler_id : undefined
  return typeof id === "number" && Number.isInteger(id) && id >= 1 && id <= 255
    ? id
    : new InvalidMessage({ reason: "the run-start of an audio run carries no stt_binary_handler_id" })
}

/** `assist_pipeline/run` as a Stream of its events. */
export const makeAssist = (client: AssistClient) =>
<E = never>(options: AssistOptions<E>): Stream.Stream<AssistEvent, AssistError | E> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const run = yield* check(options)
    const pipeline = run.language === undefined ? run.pipeline : yield* pipelineFor(client, run.language)
    const scope = yield* Effect.scope
    // Completes only when sending the audio failed, which then fails the run's Stream.
    const audioFailed = yield* Deferred.make<never, AssistError | E>()
    // Once HA has stopped listening (its VAD heard the end, or STT is done), no more audio is sent.
    let sending: Fiber.RuntimeFiber<unknown> | undefined
    const stopAudio = Effect.suspend(() => sending === undefined ? Effect.void : Fiber.interruptFork(sending))
    const sendAudio = (handlerId: number, audio: Stream.Stream<Uint8Array, E>) =>
      audioFrames(handlerId, audio).pipe(
        Stream.runForEach(client.sendBinary),
        // The audio belongs to this run on this connection: lost with it, it is the run that was lost.
        Effect.catchAll((error) =>
          Deferred.fail(audioFailed, error instanceof ConnectionLost ? new ConnectionLost({ command: RUN }) : error)
        ),
        Effect.forkIn(scope),
        Effect.tap((fiber) => {
          sending = fiber
        })
      )
    const events = client.subscribe(runMessage(run, pipeline), { resubscribe: false }).pipe(
      Stream.mapEffect(decodeAssistEvent),
      Stream.mapEffect((event): Effect.Effect<AssistEvent, AssistError> => {
        if (event.type === "error") return Effect.fail(new AssistPipelineError({ code: event.data.code, reason: event.data.message }))
        if (event.type === "stt-vad-end" || event.type === "stt-end") return Effect.as(stopAudio, event)
        if (event.type !== "run-start" || run.audio === undefined) return Effect.succeed(event)
        const handlerId = handlerIdOf(event)
        return handlerId instanceof InvalidMessage ? Effect.fail(handlerId) : Effect.as(sendAudio(handlerId, run.audio), event)
      }),
      Stream.takeUntil((event) => event.type === "run-end")
    )
    return run.audio === undefined ? events : Stream.interruptWhenDeferred(events, audioFailed)
  }))
