// Assist on the wire, against a real server on 127.0.0.1 (port 0) written here as HA's websocket_api behaves, which
// records every byte the client sent: the audio frames exactly as HA's binary handler reads them, and a malformed
// event refused as InvalidMessage naming the command.
import { once } from "node:events"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Layer, Stream } from "effect"
import { type WebSocket, WebSocketServer } from "ws"
import { MAX_FRAME_BYTES, splitSamples } from "../../src/homeassistant/internal/audioFrames.js"
import { HomeAssistant, HomeAssistantLayer, InvalidMessage, WebSocketClientLive } from "../../src/index.js"

const HANDLER = 5

/** A server that speaks just enough of HA for one run per connection; `binary` holds the frames it got. */
const start = (onRun: (socket: WebSocket, id: number, message: Record<string, unknown>) => void) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/api/websocket" })
      await once(server, "listening")
      const binary: Array<Uint8Array> = []
      server.on("connection", (socket) => {
        socket.send(JSON.stringify({ type: "auth_required", ha_version: "2025.1.0" }))
        socket.on("message", (data, isBinary) => {
          if (isBinary) return void binary.push(new Uint8Array(data as Buffer))
          const message = JSON.parse(String(data)) as Record<string, unknown> & { id: number; type: string }
          if (message.type === "auth") return socket.send(JSON.stringify({ type: "auth_ok", ha_version: "2025.1.0" }))
          if (message.type === "assist_pipeline/run") return onRun(socket, message.id, message)
          socket.send(JSON.stringify({ id: message.id, type: "result", success: true, result: null }))
        })
      })
      return { server, binary, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
    }),
    ({ server }) =>
      Effect.promise(() => {
        for (const client of server.clients) client.terminate()
        return new Promise<void>((resolve) => server.close(() => resolve()))
      })
  )

const client = (url: string) =>
  Effect.map(
    Layer.build(HomeAssistantLayer({ url, accessToken: "t", reconnect: false, heartbeat: false }).pipe(Layer.provide(WebSocketClientLive))),
    (context) => Context.get(context, HomeAssistant)
  )

const event = (id: number, type: string, data: unknown) =>
  JSON.stringify({ id, type: "event", event: { type, data, timestamp: "2025-01-01T00:00:00+00:00" } })

describe("Assist on the wire (a real server on 127.0.0.1)", () => {
  it.scopedLive("audio frames are the handler id byte then whole 16-bit samples, at most a second each, ended by the byte alone", () =>
    Effect.gen(function*() {
      const { binary, url } = yield* start((socket, id) => {
        socket.send(JSON.stringify({ id, type: "result", success: true, result: null }))
        socket.send(event(id, "run-start", { pipeline: "p", language: "en", runner_data: { stt_binary_handler_id: HANDLER, timeout: 300 } }))
        socket.on("message", (data, isBinary) => {
          if (!isBinary || (data as Buffer).length !== 1) return
          socket.send(event(id, "stt-end", { stt_output: { text: "hello" } }))
          socket.send(event(id, "run-end", null))
        })
      })
      const ha = yield* client(url)
      const audio = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 7) % 256)
      const chunks = [audio.subarray(0, 1), audio.subarray(1, 4), new Uint8Array(0), audio.subarray(4, 70_001)]
      const events = yield* Stream.runCollect(ha.assist({ input: { audio: Stream.fromIterable(chunks) }, endStage: "stt" }))
      expect(Chunk.toReadonlyArray(events).map((e) => e.type)).toStrictEqual(["run-start", "stt-end", "run-end"])
      expect(binary.every((frame) => frame[0] === HANDLER)).toBe(true)
      expect(binary.at(-1)).toStrictEqual(Uint8Array.of(HANDLER))
      const payloads = binary.slice(0, -1).map((frame) => frame.subarray(1))
      expect(payloads.every((payload) => payload.length > 0 && payload.length % 2 === 0 && payload.length <= MAX_FRAME_BYTES)).toBe(true)
      // every whole sample arrived, in order; the trailing half sample did not
      expect(Buffer.concat(payloads)).toStrictEqual(Buffer.from(audio.subarray(0, 70_000)))
    }))

  it.scopedLive("once HA's VAD heard the end (stt-vad-end), a microphone that keeps going sends no more audio", () =>
    Effect.gen(function*() {
      let atVadEnd = 0
      const { binary, url } = yield* start((socket, id) => {
        socket.send(JSON.stringify({ id, type: "result", success: true, result: null }))
        socket.send(event(id, "run-start", { pipeline: "p", language: "en", runner_data: { stt_binary_handler_id: HANDLER, timeout: 300 } }))
        socket.once("message", () => {
          atVadEnd = binary.length
          socket.send(event(id, "stt-vad-end", { timestamp: 100 }))
          setTimeout(() => {
            socket.send(event(id, "stt-end", { stt_output: { text: "hello" } }))
            socket.send(event(id, "run-end", null))
          }, 100)
        })
      })
      const ha = yield* client(url)
      // 20 ms of audio every millisecond, for ever: far more than HA takes in the 100 ms after stt-vad-end
      const microphone = Stream.repeatEffect(Effect.as(Effect.sleep("1 millis"), new Uint8Array(640)))
      const events = yield* Stream.runCollect(ha.assist({ input: { audio: microphone }, endStage: "stt" }))
      expect(Chunk.toReadonlyArray(events).map((e) => e.type)).toStrictEqual(["run-start", "stt-vad-end", "stt-end", "run-end"])
      // only frames already on their way when stt-vad-end left the server: not the ~100 of the next 100 ms
      expect(binary.length - atVadEnd).toBeLessThan(30)
    }))

  it.scopedLive("an event that does not match its schema is InvalidMessage naming assist_pipeline/run", () =>
    Effect.gen(function*() {
      const { url } = yield* start((socket, id) => {
        socket.send(JSON.stringify({ id, type: "result", success: true, result: null }))
        socket.send(event(id, "run-start", { pipeline: "p", language: "en" }))
        socket.send(event(id, "intent-end", { intent_output: { response: "nope" } }))
      })
      const ha = yield* client(url)
      const failure = yield* Effect.flip(Stream.runDrain(ha.assist({ input: { text: "hi" } })))
      expect(failure).toBeInstanceOf(InvalidMessage)
      expect(failure.message).toContain("an event of assist_pipeline/run does not match its schema")
    }))

  it.scopedLive("an audio run whose run-start names no handler is InvalidMessage, and no audio is sent", () =>
    Effect.gen(function*() {
      const { binary, url } = yield* start((socket, id) => {
        socket.send(JSON.stringify({ id, type: "result", success: true, result: null }))
        socket.send(event(id, "run-start", { pipeline: "p", language: "en", runner_data: { stt_binary_handler_id: null, timeout: 300 } }))
      })
      const ha = yield* client(url)
      const failure = yield* Effect.flip(Stream.runDrain(ha.assist({ input: { audio: Stream.make(new Uint8Array(4)) } })))
      expect(failure).toStrictEqual(new InvalidMessage({ reason: "the run-start of an audio run carries no stt_binary_handler_id" }))
      expect(binary).toStrictEqual([])
    }))
})

describe("splitSamples", () => {
  it("carries an odd byte to the next chunk, so no frame splits a sample", () => {
    const [carry, frames] = splitSamples(9, undefined, Uint8Array.of(1, 2, 3))
    expect(frames).toStrictEqual([Uint8Array.of(9, 1, 2)])
    expect(carry).toStrictEqual(Uint8Array.of(3))
    const [rest, next] = splitSamples(9, carry, Uint8Array.of(4))
    expect([rest, next]).toStrictEqual([undefined, [Uint8Array.of(9, 3, 4)]])
    expect(splitSamples(9, undefined, new Uint8Array(0))).toStrictEqual([undefined, []])
  })
})
