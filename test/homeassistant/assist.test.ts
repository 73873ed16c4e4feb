// Assist against the simulator on real loopback sockets: text and audio pipeline runs as typed event Streams, HA's
// error event as a typed failure, a run lost with its connection (never re-sent), and the TTS answer fetched through
// a signed URL.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, Stream } from "effect"
import { AssistPipelineError, ConnectionLost, type AssistEvent, spokenAnswer } from "../../src/index.js"
import { connect, eventually, reconnected } from "./kit.js"

const types = (events: Chunk.Chunk<AssistEvent>) => Chunk.toReadonlyArray(events).map((event) => event.type)
const find = <T extends AssistEvent["type"]>(events: Chunk.Chunk<AssistEvent>, type: T) =>
  Chunk.toReadonlyArray(events).find((event): event is Extract<AssistEvent, { type: T }> => event.type === type)

/** `total` bytes of PCM in chunks of the given sizes (odd ones included), cycling. */
const pcm = (total: number, sizes: ReadonlyArray<number>) => {
  const bytes = Uint8Array.from({ length: total }, (_, i) => i % 251)
  const chunks: Array<Uint8Array> = []
  for (let at = 0, i = 0; at < total; i++) {
    const size = sizes[i % sizes.length]!
    chunks.push(bytes.slice(at, at + size))
    at += size
  }
  return chunks
}

describe("Home Assistant Assist (simulator)", () => {
  it.scoped("a text run: run-start, intent-start, intent-end with HA's answer and conversation id, run-end; the light really turns on", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const changes = yield* Effect.fork(ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runCollect))
      yield* eventually(() => sim.subscriptionCount === 1, "the state_changed subscription")
      const events = yield* Stream.runCollect(ha.assist({ input: { text: "Turn on the living room light" } }))
      expect(types(events)).toStrictEqual(["run-start", "intent-start", "intent-end", "run-end"])
      const end = find(events, "intent-end")!
      expect(spokenAnswer(end.data.intent_output)).toBe("Turned on the light")
      expect(end.data.intent_output.response.response_type).toBe("action_done")
      expect(end.data.intent_output.conversation_id).toMatch(/^01SIMCONV/)
      expect(find(events, "intent-start")?.data.intent_input).toBe("Turn on the living room light")
      expect(sim.states.find((s) => s.entity_id === "light.living_room")?.state).toBe("on")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(changes))[0]?.data).toMatchObject({ entity_id: "light.living_room" })
      // the run was sent once, as HA's frontend sends it, and unsubscribed after run-end
      expect(sim.received.filter((r) => r.message.type === "assist_pipeline/run").map((r) => r.message)).toStrictEqual([
        { id: 3, type: "assist_pipeline/run", start_stage: "intent", end_stage: "intent", input: { text: "Turn on the living room light" } }
      ])
      yield* eventually(
        () => sim.received.some((r) => r.message.type === "unsubscribe_events" && r.message.subscription === 3),
        "the run's unsubscribe"
      )
    }))

  it.scoped("endStage tts: tts-start, tts-end with a URL that signedUrl makes fetchable (and only signed)", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* Stream.runCollect(ha.assist({ input: { text: "what is the outdoor temperature?" }, endStage: "tts" }))
      expect(types(events)).toStrictEqual(["run-start", "intent-start", "intent-end", "tts-start", "tts-end", "run-end"])
      expect(find(events, "tts-start")?.data.tts_input).toBe("Outdoor Temperature is 11.5 °C")
      const output = find(events, "tts-end")!.data.tts_output
      expect(output.mime_type).toBe("audio/mpeg")
      expect(output.url).toMatch(/^\/api\/tts_proxy\/sim-\d+\.mp3$/)
      const url = yield* ha.signedUrl(output.url, { expires: "1 minute" })
      expect(url).toMatch(new RegExp(`^${sim.httpUrl}/api/tts_proxy/sim-\\d+\\.mp3\\?authSig=`))
      expect(sim.received.find((r) => r.message.type === "auth/sign_path")?.message).toMatchObject({ path: output.url, expires: 60 })
      const fetched = yield* Effect.promise(() => fetch(url))
      expect([fetched.status, fetched.headers.get("content-type")]).toStrictEqual([200, "audio/mpeg"])
      expect(yield* Effect.promise(() => fetched.text())).toBe("ID3Outdoor Temperature is 11.5 °C")
      expect((yield* Effect.promise(() => fetch(`${sim.httpUrl}${output.url}`))).status).toBe(401)
    }))

  it.scoped("an audio run: whole-sample frames behind the handler id, the end marker, then the transcript and the answer", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setAssistTranscript("turn off the kitchen light")
      // 32,001 bytes in odd chunks: every frame still carries whole samples; the last half sample is dropped
      const chunks = pcm(32_001, [3, 5, 1_001, 4_096, 33_000])
      const events = yield* Stream.runCollect(ha.assist({ input: { audio: Stream.fromIterable(chunks) } }))
      expect(types(events)).toStrictEqual([
        "run-start", "stt-start", "stt-vad-start", "stt-vad-end", "stt-end", "intent-start", "intent-end", "run-end"
      ])
      expect(find(events, "run-start")?.data.runner_data?.stt_binary_handler_id).toBe(1)
      expect(find(events, "stt-end")?.data.stt_output.text).toBe("turn off the kitchen light")
      expect(spokenAnswer(find(events, "intent-end")!.data.intent_output)).toBe("Turned off the light")
      expect(sim.states.find((s) => s.entity_id === "light.kitchen")?.state).toBe("off")
      const [run] = sim.assistRuns
      expect(run).toMatchObject({ startStage: "stt", endStage: "intent", audioBytes: 32_000, audioEnded: true, fault: undefined, ended: true })
      expect(run!.audioFrames).toBeGreaterThan(chunks.length / 2)
      expect(sim.received.find((r) => r.message.type === "assist_pipeline/run")?.message).toMatchObject({
        start_stage: "stt",
        input: { sample_rate: 16_000 }
      })
    }))

  it.scoped("the handler id of each run: a second audio run on the connection gets handler 2", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setAssistTranscript("what is the outdoor temperature")
      const audio = { audio: Stream.make(new Uint8Array(640)) }
      yield* Stream.runDrain(ha.assist({ input: audio }))
      const second = yield* Stream.runCollect(ha.assist({ input: audio, endStage: "stt" }))
      expect(find(second, "run-start")?.data.runner_data?.stt_binary_handler_id).toBe(2)
      expect(types(second).at(-2)).toBe("stt-end")
      expect(sim.assistRuns.map((run) => run.audioBytes)).toStrictEqual([640, 640])
      expect(sim.strayAudioFrames).toBe(0)
    }))

  it.scoped("HA's error event fails the Stream with AssistPipelineError, after the events before it", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.failNextAssistRun("intent-failed", "Unexpected error during intent recognition")
      const seen: Array<string> = []
      const exit = yield* Effect.exit(Stream.runForEach(ha.assist({ input: { text: "turn on the bedroom" } }), (event) =>
        Effect.sync(() => seen.push(event.type))))
      expect(exit).toStrictEqual(Exit.fail(new AssistPipelineError({
        code: "intent-failed",
        reason: "Unexpected error during intent recognition"
      })))
      expect(seen).toStrictEqual(["run-start"])
      expect(sim.states.find((s) => s.entity_id === "light.bedroom")?.state).toBe("off")
      // audio that HA heard nothing in: its own error, typed the same way
      const silent = yield* Effect.flip(Stream.runDrain(ha.assist({ input: { audio: Stream.empty } })))
      expect(silent).toStrictEqual(new AssistPipelineError({ code: "stt-no-text-recognized", reason: "No text recognized" }))
    }))

  it.scoped("a drop mid-run ends the Stream with ConnectionLost; the run is not re-sent and no audio follows", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      // audio that keeps coming until the run is over
      const audio = Stream.concat(Stream.make(new Uint8Array(3_200)), Stream.never)
      const running = yield* Effect.fork(Stream.runCollect(ha.assist({ input: { audio } })))
      yield* eventually(() => sim.assistRuns[0]?.audioFrames === 1, "the first audio frame")
      yield* sim.dropAll
      expect(yield* Fiber.await(running)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "assist_pipeline/run" })))
      yield* reconnected(ha, sim, 2)
      yield* ha.getStates()
      expect(sim.count("assist_pipeline/run")).toBe(1)
      expect(sim.received.filter((r) => r.connection === 2).map((r) => r.message.type)).toStrictEqual(["supported_features", "get_states"])
      expect(sim.strayAudioFrames).toBe(0)
      expect(sim.assistRuns[0]).toMatchObject({ audioEnded: false, ended: false })
    }))

  it.scoped("a text run whose answer is lost with the connection is ConnectionLost, sent once", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setReplyDelay(Duration.infinity)
      const running = yield* Effect.fork(Stream.runCollect(ha.assist({ input: { text: "turn on the coffee maker" } })))
      yield* eventually(() => sim.count("assist_pipeline/run") === 1, "the run to reach the server")
      yield* sim.setReplyDelay(Duration.zero)
      yield* sim.dropAll
      expect(yield* Fiber.await(running)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "assist_pipeline/run" })))
      yield* reconnected(ha, sim, 2)
      yield* ha.getStates()
      expect(sim.count("assist_pipeline/run")).toBe(1)
    }))

  it.scoped("listPipelines is decoded; language picks the pipeline that speaks it; no such pipeline is InvalidOption", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const { pipelines, preferred_pipeline } = yield* ha.listPipelines
      expect(pipelines.map((p) => [p.name, p.language, p.stt_engine])).toStrictEqual([
        ["Home Assistant", "en", "stt.simulated"],
        ["Nederlands", "nl", null]
      ])
      expect(preferred_pipeline).toBe(pipelines[0]?.id)
      yield* Stream.runDrain(ha.assist({ input: { text: "turn on the coffee maker" }, language: "nl-NL" }))
      expect(sim.received.find((r) => r.message.type === "assist_pipeline/run")?.message.pipeline).toBe(pipelines[1]?.id)
      const none = yield* Effect.flip(Stream.runDrain(ha.assist({ input: { text: "bonjour" }, language: "fr" })))
      expect(none).toMatchObject({ _tag: "InvalidOption", option: "language", reason: "no Assist pipeline speaks fr" })
      const both = yield* Effect.flip(Stream.runDrain(ha.assist({ input: { text: "hi" }, language: "en", pipeline: "x" })))
      expect(both).toMatchObject({ _tag: "InvalidOption", option: "language" })
      // HA's own refusal of a pipeline it does not have
      const unknown = yield* Effect.flip(Stream.runDrain(ha.assist({ input: { text: "hi" }, pipeline: "nope" })))
      expect(unknown).toMatchObject({ _tag: "HomeAssistantError", code: "pipeline-not-found" })
    }))
})
