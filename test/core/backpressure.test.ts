import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { WebSocketClient } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run, url } from "./kit.js"


describe("inbound buffer", () => {
  it.effect("keeps every message that arrives before anyone receives, in order", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, bufferSize: 100_000 })
      const peer = yield* server.accepted
      const sent = Array.from({ length: 10_000 }, (_, i) => `message ${i}`)
      yield* Effect.forEach(sent, (m) => peer.push(m), { discard: true })
      const received = yield* Effect.replicateEffect(client.receive(connection), sent.length)
      expect(received).toStrictEqual(sent)
    })))

  it.effect("pauses reading at its bound and never holds more, then resumes as it drains", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, bufferSize: 8 })
      const peer = yield* server.accepted
      yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) => peer.push(String(i)), { discard: true })
      expect(connection.buffered).toBe(8)
      expect(peer.isPaused).toBe(true)
      expect(peer.backlog).toBe(12)
      // draining to half the bound resumes reading, which refills the buffer up to the bound again
      const firstFour = yield* Effect.replicateEffect(client.receive(connection), 4)
      expect(firstFour).toStrictEqual(["0", "1", "2", "3"])
      expect(connection.buffered).toBe(8)
      expect(peer.backlog).toBe(8)
      const rest = yield* Effect.replicateEffect(client.receive(connection), 16)
      expect(rest).toStrictEqual(Array.from({ length: 16 }, (_, i) => String(i + 4)))
      expect(connection.peakBuffered).toBe(8)
      expect(peer.isPaused).toBe(false)
    })))

  it.effect("a slow stream consumer of 100,000 messages gets them all while the buffer stays within its bound", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, bufferSize: 64 })
      const peer = yield* server.accepted
      const total = 100_000
      for (let i = 0; i < total; i++) yield* peer.push(String(i))
      yield* peer.close(1000, "")
      let expected = 0
      let inOrder = true
      yield* connection.messages.pipe(
        Stream.runForEach((m) =>
          Effect.sync(() => {
            if (m !== String(expected++)) inOrder = false
          })
        ),
        Effect.catchTag("ConnectionClosed", () => Effect.void)
      )
      expect(expected).toBe(total)
      expect(inOrder).toBe(true)
      expect(connection.peakBuffered).toBeLessThanOrEqual(64)
      expect(peer.pauses).toBeGreaterThan(1000)
      expect((yield* client.getStats).messagesReceived).toBe(total)
    })))

  it.effect("the stream hands over whatever is buffered as one chunk", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      yield* Effect.forEach(["a", "b", "c"], (m) => peer.push(m))
      const chunks = yield* connection.messages.pipe(Stream.chunks, Stream.take(1), Stream.runCollect)
      expect(Chunk.toReadonlyArray(chunks).map(Chunk.toReadonlyArray)).toStrictEqual([["a", "b", "c"]])
    })))
})
