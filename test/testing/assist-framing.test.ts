// The simulator's Assist STT stage and malformed audio, driven with a raw `ws` client on 127.0.0.1 (no library client
// in between, so every frame is exactly the bytes written here): a frame for a handler the connection does not have
// is a stray frame and leaves the run alone; a frame that is not whole 16-bit samples is the run's fault, reported as
// HA's `stt-stream-failed` error at the end marker; audio with no end marker leaves the run open; a well-framed run
// recognises the transcript set by `setAssistTranscript`.
import { once } from "node:events"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { WebSocket } from "ws"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

const TOKEN = "assist-framing-token"
const PIPELINE = "01SIMPIPELINE00000000000EN"

/** Waits (bounded, on real timers) for socket I/O to make `condition` true. */
const eventually = (condition: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      if (condition()) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

/** A text frame the simulator sent, parsed. */
interface Received {
  readonly id?: number
  readonly type: string
  readonly event?: { readonly type: string; readonly data: unknown; readonly timestamp: string }
  readonly [key: string]: unknown
}

interface Peer {
  readonly socket: WebSocket
  /** Every text frame received, in order. */
  readonly inbox: Array<Received>
  nextId: number
}

/** A raw socket on the simulator, authenticated; closed (close handshake awaited) with the scope. */
const authenticated = (sim: HomeAssistantSimulator) =>
  Effect.gen(function*() {
    const peer = yield* Effect.acquireRelease(
      Effect.promise(async (): Promise<Peer> => {
        const socket = new WebSocket(sim.url)
        const inbox: Array<Received> = []
        socket.on("message", (data, isBinary) => {
          if (!isBinary) inbox.push(JSON.parse(String(data)) as Received)
        })
        await once(socket, "open")
        return { socket, inbox, nextId: 1 }
      }),
      ({ socket }) => closeSocket(socket)
    )
    yield* eventually(() => peer.inbox.some((m) => m.type === "auth_required"), "auth_required")
    peer.socket.send(JSON.stringify({ type: "auth", access_token: TOKEN }))
    yield* eventually(() => peer.inbox.some((m) => m.type === "auth_ok"), "auth_ok")
    return peer
  })

const closeSocket = (socket: WebSocket) =>
  Effect.promise(async () => {
    if (socket.readyState === WebSocket.CLOSED) return
    const closed = once(socket, "close")
    socket.close()
    await closed
  })

/** Sends a command with the peer's next id and returns that id. */
const send = (peer: Peer, command: Record<string, unknown>) =>
  Effect.sync(() => {
    const id = peer.nextId++
    peer.socket.send(JSON.stringify({ id, ...command }))
    return id
  })

/**
 * A round trip through the simulator: a `ping` whose `pong` comes back after everything the frames sent before it
 * caused (the simulator handles a connection's frames in order and sends synchronously), so "nothing happened" is
 * observed, not waited for.
 */
const barrier = (peer: Peer) =>
  Effect.gen(function*() {
    const id = yield* send(peer, { type: "ping" })
    yield* eventually(() => peer.inbox.some((m) => m.id === id && m.type === "pong"), `pong ${id}`)
  })

/** One binary frame: the handler id byte, then `payload`. */
const frame = (handler: number, payload: Uint8Array = new Uint8Array(0)) => {
  const bytes = new Uint8Array(payload.length + 1)
  bytes[0] = handler
  bytes.set(payload, 1)
  return bytes
}

const sendBinary = (peer: Peer, bytes: Uint8Array) => Effect.sync(() => peer.socket.send(bytes))

/** The events of run `id`, as `[type, data]`. */
const eventsOf = (peer: Peer, id: number) =>
  peer.inbox.filter((m) => m.id === id && m.type === "event").map((m) => [m.event?.type, m.event?.data] as const)

const eventTypes = (peer: Peer, id: number) => eventsOf(peer, id).map(([type]) => type)

/** Starts an stt → intent run and waits for `stt-start`; the run's id and its binary handler id. */
const startAudioRun = (peer: Peer) =>
  Effect.gen(function*() {
    const id = yield* send(peer, {
      type: "assist_pipeline/run",
      start_stage: "stt",
      end_stage: "intent",
      input: { sample_rate: 16000 }
    })
    yield* eventually(() => eventTypes(peer, id).includes("stt-start"), "stt-start")
    expect(peer.inbox.find((m) => m.id === id && m.type === "result")).toStrictEqual({ id, type: "result", success: true, result: null })
    const [runStart] = eventsOf(peer, id)
    expect(runStart?.[0]).toBe("run-start")
    const data = runStart?.[1] as { runner_data: { stt_binary_handler_id: number } }
    return { id, handler: data.runner_data.stt_binary_handler_id }
  })

/** `length` bytes of PCM (any content: the simulator only counts it). */
const pcm = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251)

/**
 * A simulator whose STT stage recognises "turn off the kitchen light" (were the audio well framed), an authenticated
 * raw client on it, and an audio run started there.
 */
const audioRunOnSimulator = Effect.gen(function*() {
  const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
  yield* sim.setAssistTranscript("turn off the kitchen light")
  const peer = yield* authenticated(sim)
  return { sim, peer, ...yield* startAudioRun(peer) }
})

describe("the simulator's Assist STT framing (raw ws client)", () => {
  it.scoped("control: whole samples behind the handler id, then the end marker: the transcript is recognised and acted on", () =>
    Effect.gen(function*() {
      const { handler, id, peer, sim } = yield* audioRunOnSimulator
      expect(handler).toBe(1)
      expect(eventsOf(peer, id)).toStrictEqual([
        ["run-start", { pipeline: PIPELINE, language: "en", runner_data: { stt_binary_handler_id: 1, timeout: 300 } }],
        ["stt-start", {
          engine: "stt.simulated",
          metadata: { language: "en", format: "wav", codec: "pcm", bit_rate: 16, sample_rate: 16000, channel: 1 }
        }]
      ])
      yield* sendBinary(peer, frame(handler, pcm(3200)))
      yield* sendBinary(peer, frame(handler, pcm(3200)))
      yield* sendBinary(peer, frame(handler))
      yield* eventually(() => eventTypes(peer, id).includes("run-end"), "run-end")
      expect(eventTypes(peer, id)).toStrictEqual([
        "run-start", "stt-start", "stt-vad-start", "stt-vad-end", "stt-end", "intent-start", "intent-end", "run-end"
      ])
      const events = new Map(eventsOf(peer, id))
      expect(events.get("stt-vad-start")).toStrictEqual({ timestamp: 0 })
      // 6,400 bytes of 16 kHz 16-bit mono: 200 ms
      expect(events.get("stt-vad-end")).toStrictEqual({ timestamp: 200 })
      expect(events.get("stt-end")).toStrictEqual({ stt_output: { text: "turn off the kitchen light" } })
      expect(events.get("intent-start")).toMatchObject({ intent_input: "turn off the kitchen light" })
      expect(events.get("intent-end")).toMatchObject({
        intent_output: { response: { speech: { plain: { speech: "Turned off the light" } } } }
      })
      expect(events.get("run-end")).toBeNull()
      expect(sim.states.find((s) => s.entity_id === "light.kitchen")?.state).toBe("off")
      expect(sim.assistRuns).toStrictEqual([{
        connection: 1,
        startStage: "stt",
        endStage: "intent",
        audioFrames: 2,
        audioBytes: 6400,
        audioEnded: true,
        fault: undefined,
        ended: true
      }])
      expect(sim.strayAudioFrames).toBe(0)
    }))

  it.scoped("a frame with the wrong handler id byte is a stray frame: the run gets none of it and reports nothing", () =>
    Effect.gen(function*() {
      const { handler, id, peer, sim } = yield* audioRunOnSimulator
      expect(handler).toBe(1)
      // audio for handler 2 (no such handler) and 0 (HA numbers handlers from 1), an odd-sized one among them, and
      // an end marker for the wrong handler
      yield* sendBinary(peer, frame(2, pcm(640)))
      yield* sendBinary(peer, frame(0, pcm(3)))
      yield* sendBinary(peer, frame(7))
      yield* barrier(peer)
      expect(sim.strayAudioFrames).toBe(3)
      expect(eventTypes(peer, id)).toStrictEqual(["run-start", "stt-start"])
      expect(sim.assistRuns).toStrictEqual([{
        connection: 1,
        startStage: "stt",
        endStage: "intent",
        audioFrames: 0,
        audioBytes: 0,
        audioEnded: false,
        fault: undefined,
        ended: false
      }])
      // the right handler id on another connection (which has no run) is stray too
      const other = yield* authenticated(sim)
      yield* sendBinary(other, frame(handler, pcm(640)))
      yield* barrier(other)
      expect(sim.strayAudioFrames).toBe(4)
      expect(sim.assistRuns[0]?.audioFrames).toBe(0)
      // the run is still live for its own handler: its audio and end marker finish it normally
      yield* sendBinary(peer, frame(handler, pcm(640)))
      yield* sendBinary(peer, frame(handler))
      yield* eventually(() => eventTypes(peer, id).includes("run-end"), "run-end")
      expect(eventTypes(peer, id)).toStrictEqual([
        "run-start", "stt-start", "stt-vad-start", "stt-vad-end", "stt-end", "intent-start", "intent-end", "run-end"
      ])
      expect(new Map(eventsOf(peer, id)).get("stt-vad-end")).toStrictEqual({ timestamp: 20 })
      expect(sim.assistRuns[0]).toMatchObject({ audioFrames: 1, audioBytes: 640, audioEnded: true, fault: undefined, ended: true })
      expect(sim.strayAudioFrames).toBe(4)
      expect(other.inbox.map((m) => m.type)).toStrictEqual(["auth_required", "auth_ok", "pong"])
    }))

  it.scoped("a frame of half a sample is the run's fault: at the end marker, stt-stream-failed naming it, then run-end", () =>
    Effect.gen(function*() {
      const { handler, id, peer, sim } = yield* audioRunOnSimulator
      yield* sendBinary(peer, frame(handler, pcm(2)))
      yield* sendBinary(peer, frame(handler, pcm(3)))
      yield* sendBinary(peer, frame(handler, pcm(5)))
      yield* barrier(peer)
      // the fault is recorded as it happens (the first one only), but reported only at the end marker
      expect(eventTypes(peer, id)).toStrictEqual(["run-start", "stt-start"])
      expect(sim.assistRuns).toStrictEqual([{
        connection: 1,
        startStage: "stt",
        endStage: "intent",
        audioFrames: 3,
        audioBytes: 10,
        audioEnded: false,
        fault: "a frame of 3 bytes is not whole 16-bit samples",
        ended: false
      }])
      yield* sendBinary(peer, frame(handler))
      yield* eventually(() => eventTypes(peer, id).includes("run-end"), "run-end")
      expect(eventsOf(peer, id)).toStrictEqual([
        ["run-start", { pipeline: PIPELINE, language: "en", runner_data: { stt_binary_handler_id: handler, timeout: 300 } }],
        ["stt-start", expect.anything()],
        ["error", { code: "stt-stream-failed", message: "a frame of 3 bytes is not whole 16-bit samples" }],
        ["run-end", null]
      ])
      expect(sim.assistRuns[0]).toMatchObject({ audioEnded: true, ended: true, fault: "a frame of 3 bytes is not whole 16-bit samples" })
      expect(sim.states.find((s) => s.entity_id === "light.kitchen")?.state).toBe("on")
      expect(sim.strayAudioFrames).toBe(0)
      // the handler went with the end marker: audio after it is stray and changes nothing
      yield* sendBinary(peer, frame(handler, pcm(4)))
      yield* barrier(peer)
      expect(sim.strayAudioFrames).toBe(1)
      expect(sim.assistRuns[0]).toMatchObject({ audioFrames: 3, audioBytes: 10 })
      expect(eventTypes(peer, id)).toStrictEqual(["run-start", "stt-start", "error", "run-end"])
    }))

  it.scoped("audio that never gets its end marker: at the run's 300 s timeout (TestClock) HA's error \"timeout\", the handler gone", () =>
    Effect.gen(function*() {
      const { handler, id, peer, sim } = yield* audioRunOnSimulator
      yield* sendBinary(peer, frame(handler, pcm(1600)))
      yield* sendBinary(peer, frame(handler, pcm(1600)))
      yield* barrier(peer)
      // The simulator was made in this test's runtime, so its timers run on the TestClock.
      yield* TestClock.adjust("299 seconds")
      yield* barrier(peer)
      expect(eventTypes(peer, id)).toStrictEqual(["run-start", "stt-start"])
      expect(sim.assistRuns[0]).toMatchObject({ audioFrames: 2, audioBytes: 3200, audioEnded: false, ended: false })
      yield* TestClock.adjust("1 second")
      yield* barrier(peer)
      expect(eventTypes(peer, id)).toStrictEqual(["run-start", "stt-start", "error"])
      expect(eventsOf(peer, id).at(-1)).toStrictEqual(["error", { code: "timeout", message: "Timeout running pipeline" }])
      expect(sim.assistRuns[0]).toMatchObject({ audioEnded: false, ended: true, fault: undefined })
      // the handler went with the timeout: audio for it now is stray, and the transcript never acted
      yield* sendBinary(peer, frame(handler))
      yield* barrier(peer)
      expect(sim.strayAudioFrames).toBe(1)
      expect(sim.states.find((s) => s.entity_id === "light.kitchen")?.state).toBe("on")
      // the next audio run on this connection gets the next handler id, as HA hands them out (1, 2, 3 ...)
      const next = yield* startAudioRun(peer)
      expect(next.handler).toBe(handler + 1)
    }))
})
