/**
 * The simulator's voice: `conversation/process`, `assist_pipeline/pipeline/list`, `auth/sign_path`, and
 * `assist_pipeline/run` through stt → intent → tts as HA's assist_pipeline does it (result, then `run-start`, each
 * stage's events, `run-end`). Its STT stage checks the audio's framing (the handler id byte, whole 16-bit samples,
 * the end marker) and "recognises" the transcript a test set; its TTS stage returns a URL the simulator serves.
 */
import * as Duration from "effect/Duration"
import type { RawData } from "ws"
import { broadcast, broadcastEntityChange, type Client, error, type SimulatorWorld } from "./commands.js"
import { converse } from "./conversation.js"
import type { StateChange } from "./home.js"
import { TtsProxy } from "./ttsProxy.js"

/** What the simulator saw of one pipeline run (`assistRuns`). */
export interface AssistRun {
  readonly connection: number
  readonly startStage: string
  readonly endStage: string
  /** Audio frames and bytes (after the handler id) received. */
  audioFrames: number
  audioBytes: number
  /** Whether the end marker (the handler id alone) arrived. */
  audioEnded: boolean
  /** The first framing fault, if any. */
  fault: string | undefined
  /** Whether `run-end` was sent. */
  ended: boolean
}

interface Running {
  readonly id: number
  readonly run: AssistRun
  readonly conversationId: unknown
  readonly deviceId: unknown
  /** Cancels the run's timeout once it ended. */
  cancelTimeout?: () => void
}

const STAGES = ["wake_word", "stt", "intent", "tts"]

/** The simulated home's pipelines: English with STT and TTS (preferred), and Dutch with neither. */
export const PIPELINES = [
  {
    id: "01SIMPIPELINE00000000000EN",
    name: "Home Assistant",
    language: "en",
    conversation_engine: "conversation.home_assistant",
    conversation_language: "en",
    stt_engine: "stt.simulated",
    stt_language: "en",
    tts_engine: "tts.simulated",
    tts_language: "en",
    tts_voice: null,
    wake_word_entity: null,
    wake_word_id: null,
    prefer_local_intents: false
  },
  {
    id: "01SIMPIPELINE00000000000NL",
    name: "Nederlands",
    language: "nl",
    conversation_engine: "conversation.home_assistant",
    conversation_language: "nl",
    stt_engine: null,
    stt_language: null,
    tts_engine: null,
    tts_language: null,
    tts_voice: null,
    wake_word_entity: null,
    wake_word_id: null,
    prefer_local_intents: false
  }
] as const

const result = (id: number, value: unknown = null) => ({ id, type: "result", success: true, result: value })

/** The bytes of a binary frame as `ws` hands it over. */
export const bytesOf = (data: RawData): Uint8Array =>
  Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data

export class AssistDesk {
  /** What the STT stage "recognises" in any audio; `undefined`: nothing (`stt-no-text-recognized`). */
  transcript: string | undefined = undefined
  /** The next run emits this `error` event after `run-start`, then `run-end`. */
  nextError: { readonly code: string; readonly message: string } | undefined = undefined
  /** Every pipeline run received, in order. */
  readonly runs: Array<AssistRun> = []
  /** Binary frames for no handler of their connection (HA logs and drops them). */
  strayFrames = 0
  readonly tts = new TtsProxy()
  // Per connection: audio runs by handler id (HA numbers a connection's handlers from 1), and the run ids it holds.
  private readonly handlers = new WeakMap<Client, Map<number, Running>>()
  private readonly handlerCount = new WeakMap<Client, number>()
  private readonly subscriptions = new WeakMap<Client, Set<number>>()

  /** Whether `type` is one of the voice commands. */
  handles(type: string): boolean {
    return type === "conversation/process" || type === "assist_pipeline/run" || type === "assist_pipeline/pipeline/list" ||
      type === "auth/sign_path"
  }

  command(world: SimulatorWorld, client: Client, id: number, type: string, message: Record<string, unknown>): void {
    switch (type) {
      case "conversation/process": {
        if (typeof message.text !== "string") {
          return world.reply(client, [error(id, "invalid_format", "required key not provided @ data['text']. Got None")])
        }
        const { changes, result: answer } = converse(world.home, message.text, message.conversation_id, message.language)
        world.enqueue(client, result(id, answer))
        return this.announce(world, changes)
      }
      case "assist_pipeline/pipeline/list":
        return world.reply(client, [result(id, { pipelines: PIPELINES, preferred_pipeline: PIPELINES[0].id })])
      case "auth/sign_path":
        if (typeof message.path !== "string") {
          return world.reply(client, [error(id, "invalid_format", "required key not provided @ data['path']. Got None")])
        }
        return world.reply(client, [result(id, { path: this.tts.sign(message.path) })])
      default:
        return this.startRun(world, client, id, message)
    }
  }

  /** `unsubscribe_events` for a run: HA cancels it (and keeps accepting the unsubscribe after `run-end`). */
  unsubscribe(client: Client, subscription: number): boolean {
    if (!this.subscriptions.get(client)?.delete(subscription)) return false
    const handlers = this.handlers.get(client)
    for (const [handlerId, running] of handlers ?? []) if (running.id === subscription) handlers?.delete(handlerId)
    return true
  }

  private startRun(world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>): void {
    const { end_stage, start_stage } = message
    const input = typeof message.input === "object" && message.input !== null ? message.input as Record<string, unknown> : {}
    const refuse = (code: string, text: string) => world.reply(client, [error(id, code, text)])
    if (typeof start_stage !== "string" || !STAGES.includes(start_stage)) {
      return refuse("invalid_format", "expected PipelineStage for dictionary value @ data['start_stage']")
    }
    if (typeof end_stage !== "string" || !STAGES.includes(end_stage)) {
      return refuse("invalid_format", "expected PipelineStage for dictionary value @ data['end_stage']")
    }
    if (STAGES.indexOf(end_stage) < STAGES.indexOf(start_stage)) {
      return refuse("invalid_format", `Invalid stage combination: start=${start_stage}, end=${end_stage}`)
    }
    const audio = start_stage === "wake_word" || start_stage === "stt"
    if (audio ? typeof input.sample_rate !== "number" : typeof input.text !== "string") {
      return refuse("invalid_format", `required key not provided @ data['input']['${audio ? "sample_rate" : "text"}']`)
    }
    const pipeline = message.pipeline === undefined ? PIPELINES[0] : PIPELINES.find((p) => p.id === message.pipeline)
    if (pipeline === undefined) return refuse("pipeline-not-found", `Pipeline not found: id=${String(message.pipeline)}`)
    if (start_stage === "wake_word") return refuse("wake-engine-missing", "No wake word engine")
    if (audio && pipeline.stt_engine === null) return refuse("stt-provider-missing", "the pipeline does not support speech-to-text")
    if (end_stage === "tts" && pipeline.tts_engine === null) {
      return refuse("tts-not-supported", "the pipeline does not support text-to-speech")
    }
    const run: AssistRun = {
      connection: client.id,
      startStage: start_stage,
      endStage: end_stage,
      audioFrames: 0,
      audioBytes: 0,
      audioEnded: false,
      fault: undefined,
      ended: false
    }
    this.runs.push(run)
    const running: Running = { id, run, conversationId: message.conversation_id, deviceId: message.device_id }
    const subscriptions = this.subscriptions.get(client) ?? new Set()
    this.subscriptions.set(client, subscriptions.add(id))
    let handlerId: number | null = null
    if (audio) {
      // As HA's connection.async_register_binary_handler: ids 1, 2, 3 ... per connection, then once 255 were
      // handed out, the lowest free one (and none free: HA raises, an unknown_error).
      const handlers = this.handlers.get(client) ?? new Map<number, Running>()
      const handedOut = this.handlerCount.get(client) ?? 0
      handlerId = handedOut < 255 ? handedOut + 1 : 1
      if (handedOut < 255) this.handlerCount.set(client, handlerId)
      else while (handlers.has(handlerId) && handlerId <= 255) handlerId++
      if (handlerId > 255) return refuse("unknown_error", "Too many binary handlers registered")
      this.handlers.set(client, handlers.set(handlerId, running))
    }
    // HA bounds the whole run by its `timeout` (300 s): then an `error` event "timeout", and the handler is gone.
    const timeout = typeof message.timeout === "number" && message.timeout > 0 ? message.timeout : 300
    world.enqueue(client, result(id))
    const emit = this.emitter(world, client, running)
    emit("run-start", { pipeline: pipeline.id, language: pipeline.language, runner_data: { stt_binary_handler_id: handlerId, timeout } })
    running.cancelTimeout = world.after(Duration.seconds(timeout), () => {
      if (running.run.ended || client.socket.readyState !== client.socket.OPEN) return
      if (handlerId !== null) this.handlers.get(client)?.delete(handlerId)
      running.run.ended = true
      emit("error", { code: "timeout", message: "Timeout running pipeline" })
      world.flushAll()
    })
    const failure = this.nextError
    this.nextError = undefined
    if (failure !== undefined) {
      if (handlerId !== null) this.handlers.get(client)?.delete(handlerId)
      emit("error", failure)
      this.end(world, client, running)
    } else if (audio) {
      emit("stt-start", {
        engine: pipeline.stt_engine,
        metadata: { language: "en", format: "wav", codec: "pcm", bit_rate: 16, sample_rate: 16000, channel: 1 }
      })
      world.flushAll()
    } else if (start_stage === "intent") this.intent(world, client, running, input.text as string)
    else this.speak(world, client, running, input.text as string)
  }

  /** One binary frame: audio for a run's handler, its end marker, or a stray frame. */
  binary(world: SimulatorWorld, client: Client, bytes: Uint8Array): void {
    const handlerId = bytes[0]
    const running = handlerId === undefined ? undefined : this.handlers.get(client)?.get(handlerId)
    if (running === undefined || handlerId === undefined) {
      this.strayFrames++
      return
    }
    const { run } = running
    const audio = bytes.length - 1
    if (audio > 0) {
      run.audioFrames++
      run.audioBytes += audio
      if (audio % 2 !== 0 && run.fault === undefined) run.fault = `a frame of ${audio} bytes is not whole 16-bit samples`
      return
    }
    // The end marker: the audio is over, and the handler with it.
    run.audioEnded = true
    this.handlers.get(client)?.delete(handlerId)
    const emit = this.emitter(world, client, running)
    if (run.fault !== undefined) {
      emit("error", { code: "stt-stream-failed", message: run.fault })
      return this.end(world, client, running)
    }
    if (run.audioBytes > 0) {
      emit("stt-vad-start", { timestamp: 0 })
      emit("stt-vad-end", { timestamp: Math.round(run.audioBytes / 32) })
    }
    const text = this.transcript
    if (text === undefined || run.audioBytes === 0) {
      emit("error", { code: "stt-no-text-recognized", message: "No text recognized" })
      return this.end(world, client, running)
    }
    emit("stt-end", { stt_output: { text } })
    if (run.endStage === "stt") return this.end(world, client, running)
    this.intent(world, client, running, text)
  }

  private intent(world: SimulatorWorld, client: Client, running: Running, text: string): void {
    const emit = this.emitter(world, client, running)
    emit("intent-start", {
      engine: "conversation.home_assistant",
      language: "en",
      intent_input: text,
      conversation_id: running.conversationId ?? null,
      device_id: running.deviceId ?? null,
      prefer_local_intents: false
    })
    const { changes, result: answer } = converse(world.home, text, running.conversationId, "en")
    this.announce(world, changes, false)
    emit("intent-end", { processed_locally: true, intent_output: answer })
    const speech = ((answer.response as { speech: { plain: { speech: string } } }).speech.plain.speech)
    if (running.run.endStage === "tts" && speech.trim() !== "") return this.speak(world, client, running, speech)
    this.end(world, client, running)
  }

  private speak(world: SimulatorWorld, client: Client, running: Running, text: string): void {
    const emit = this.emitter(world, client, running)
    emit("tts-start", { engine: "tts.simulated", language: "en", voice: null, tts_input: text })
    const url = this.tts.speak(text)
    emit("tts-end", {
      tts_output: { media_id: `media-source://tts/tts.simulated?message=${encodeURIComponent(text)}`, url, mime_type: "audio/mpeg" }
    })
    this.end(world, client, running)
  }

  private end(world: SimulatorWorld, client: Client, running: Running): void {
    running.run.ended = true
    running.cancelTimeout?.()
    this.emitter(world, client, running)("run-end", null)
    world.flushAll()
  }

  private emitter(world: SimulatorWorld, client: Client, running: Running) {
    return (type: string, data: unknown) =>
      world.enqueue(client, { id: running.id, type: "event", event: { type, data, timestamp: world.home.now() } })
  }

  /** The state changes an intent made, to every subscriber, as HA fires them. */
  private announce(world: SimulatorWorld, changes: ReadonlyArray<StateChange>, flush = true): void {
    for (const change of changes) {
      broadcast(world, "state_changed", change as StateChange & Record<string, unknown>)
      broadcastEntityChange(world, change)
    }
    if (flush) world.flushAll()
  }
}
