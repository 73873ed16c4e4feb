import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, Stream } from "effect"
import { WebSocketClient } from "../../src/index.js"
import { sendAll, wsServer } from "./servers.js"
import { realTransports } from "./transports.js"

/**
 * The inbound bound on a real socket: `bufferSize` messages, plus what `ws` had already read from the kernel when
 * the pause landed (one socket read of at most 64 KiB), since `ws` still parses and emits that read.
 */
const hardBound = (bufferSize: number, frameBytes: number) => bufferSize + Math.ceil(65_536 / frameBytes)

describe.each(realTransports)("volume on real sockets: $name", ({ client: clientLayer, web }) => {
  it.effect("10,000 messages pushed by the server before the first receive are all received in order", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: server.url })
      const side = yield* Queue.take(server.connections)
      const sent = Array.from({ length: 10_000 }, (_, i) => `m${i}`)
      yield* sendAll(side.socket, sent)
      const received = yield* Effect.replicateEffect(client.receive(connection), sent.length)
      expect(received).toStrictEqual(sent)
    }).pipe(Effect.scoped, Effect.provide(clientLayer)))

  // On the web transport nothing can pause the socket: the same run proves nothing is lost, with no bound to check.
  it.live("a slow consumer of 100,000 messages receives them all, in order, the buffer within its bound where it can pause", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      const bufferSize = 256
      const connection = yield* client.connect({ url: server.url, bufferSize })
      const side = yield* Queue.take(server.connections)
      const total = 100_000
      const payload = (i: number) => String(i).padStart(6, "0")
      const producer = yield* Effect.fork(sendAll(side.socket, Array.from({ length: total }, (_, i) => payload(i))))
      let next = 0
      let inOrder = true
      yield* connection.messages.pipe(
        Stream.take(total),
        // slow: give the event loop a turn after every message, so the server outpaces the consumer
        Stream.tap(() => Effect.yieldNow()),
        Stream.runForEach((message) =>
          Effect.sync(() => {
            if (message !== payload(next++)) inOrder = false
          })
        )
      )
      yield* producer.await
      expect(next).toBe(total)
      expect(inOrder).toBe(true)
      expect(connection.backpressure).toBe(web ? "none" : "pause")
      // 6-byte payload + 2-byte header per frame
      if (!web) expect(connection.peakBuffered).toBeLessThanOrEqual(hardBound(bufferSize, 8))
      expect(connection.peakBuffered).toBeGreaterThanOrEqual(bufferSize)
    }).pipe(Effect.scoped, Effect.provide(clientLayer)))
})
