/**
 * `ha assist ["text"]`: asks Assist and prints HA's spoken answer (exit 1, after printing it, when HA understood no
 * intent). `--audio file.wav` sends a 16 kHz mono 16-bit WAV instead, in 100 ms chunks (anything else is a usage
 * error); with neither, each line typed or piped on stdin is asked in turn, as one conversation. `--tts` also prints
 * a signed URL of the spoken answer's audio.
 */
import { readFile } from "node:fs/promises"
import { Args, Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { AssistInput } from "../../homeassistant/assist.js"
import type { AssistEvent } from "../../homeassistant/assistEvents.js"
import { type ConversationResult, spokenAnswer } from "../../homeassistant/conversation.js"
import { HomeAssistant } from "../../homeassistant/service.js"
import { ExitWith } from "../internal/failure.js"
import { stdinLines } from "../internal/lines.js"
import { dim } from "../internal/output.js"
import { chunksOf, pcmOfWav } from "../internal/wav.js"
import { haOptions } from "./connection.js"
import { withHa } from "./root.js"

const text = Args.text({ name: "text" }).pipe(Args.withDescription("what to ask, such as 'turn on the kitchen light'"), Args.optional)
const audio = Options.text("audio").pipe(
  Options.withDescription("a WAV file to send instead (16 kHz, mono, 16-bit PCM)"),
  Options.optional
)
const pipeline = Options.text("pipeline").pipe(Options.withDescription("the Assist pipeline's id (default: HA's preferred)"), Options.optional)
const language = Options.text("language").pipe(Options.withDescription("use the pipeline that speaks this language"), Options.optional)
const tts = Options.boolean("tts").pipe(Options.withDescription("also print a signed URL of the spoken answer's audio"))

/** 100 ms of 16 kHz 16-bit mono: the size of a chunk a microphone hands over. */
const CHUNK_BYTES = 3_200

interface Asked {
  readonly heard: string | undefined
  readonly answer: ConversationResult | undefined
  readonly audioUrl: string | undefined
}

const readWav = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file),
    catch: (error) => new ExitWith({ code: 2, message: `--audio ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` })
  }).pipe(Effect.flatMap((bytes) =>
    Either.match(pcmOfWav(bytes), {
      onLeft: (reason) => Effect.fail(new ExitWith({ code: 2, message: `--audio ${file}: ${reason}` })),
      onRight: (pcm) => Effect.succeed(chunksOf(pcm, CHUNK_BYTES))
    })
  ))

/** One Assist run: what HA heard (audio), its answer, and with `--tts` its audio's signed URL. */
const ask = (
  input: AssistInput,
  options: { readonly pipeline: Option.Option<string>; readonly language: Option.Option<string>; readonly tts: boolean },
  conversationId: string | undefined
) =>
  Effect.gen(function*() {
    const ha = yield* HomeAssistant
    const events = yield* Stream.runCollect(ha.assist({
      input,
      endStage: options.tts ? "tts" : "intent",
      ...Option.match(options.pipeline, { onNone: () => ({}), onSome: (id) => ({ pipeline: id }) }),
      ...Option.match(options.language, { onNone: () => ({}), onSome: (code) => ({ language: code }) }),
      ...(conversationId === undefined ? {} : { conversationId })
    }))
    let asked: Asked = { heard: undefined, answer: undefined, audioUrl: undefined }
    for (const event of events as Iterable<AssistEvent>) {
      if (event.type === "stt-end") asked = { ...asked, heard: event.data.stt_output.text }
      if (event.type === "intent-end") asked = { ...asked, answer: event.data.intent_output }
      if (event.type === "tts-end") asked = { ...asked, audioUrl: yield* ha.signedUrl(event.data.tts_output.url, { expires: "5 minutes" }) }
    }
    return asked
  })

const understood = (asked: Asked) => asked.answer?.response.response_type !== "error"

/** The `ha assist` command. */
export const assist = Command.make("assist", { ...haOptions, text, audio, pipeline, language, tts }, (config) =>
  withHa(config, Effect.gen(function*() {
    if (Option.isSome(config.text) && Option.isSome(config.audio)) {
      return yield* new ExitWith({ code: 2, message: "give text or --audio, not both" })
    }
    const input: AssistInput | undefined = Option.isSome(config.audio)
      ? { audio: Stream.fromIterable(yield* readWav(config.audio.value)) }
      : Option.isSome(config.text)
      ? { text: config.text.value }
      : undefined
    if (input !== undefined) {
      const asked = yield* ask(input, config, undefined)
      if (asked.heard !== undefined) yield* Console.error(dim(`heard: ${asked.heard}`))
      if (asked.answer !== undefined) yield* Console.log(spokenAnswer(asked.answer))
      if (asked.audioUrl !== undefined) yield* Console.log(asked.audioUrl)
      if (!understood(asked)) return yield* new ExitWith({ code: 1 })
      return
    }
    // No text, no audio: a conversation, one line at a time, each answer continuing the last one's conversation.
    const { lines, print } = yield* stdinLines
    let conversationId: string | undefined
    yield* Stream.runForEach(Stream.filter(lines, (line) => line.trim() !== ""), (line) =>
      Effect.map(ask({ text: line }, config, conversationId), (asked) => {
        conversationId = asked.answer?.conversation_id ?? conversationId
        if (asked.answer !== undefined) print(spokenAnswer(asked.answer))
        if (asked.audioUrl !== undefined) print(asked.audioUrl)
      }))
  }).pipe(Effect.scoped))
).pipe(Command.withDescription("Ask Assist (text, a WAV file, or lines on stdin) and print Home Assistant's answer."))
