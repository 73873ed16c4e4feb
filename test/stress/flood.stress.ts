import { spawn } from "node:child_process"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { WebSocketClient, WebSocketClientLive } from "../../src/index.js"
import { heapAfterGc, mib, report } from "./figures.js"

const COUNT = 1_000_000
const BUFFER = 1024
/**
 * The stated bounds. Live heap (measured after a full GC every 100,000 messages) may rise at most 16 MiB over its
 * level before the flood: what the client holds is its bounded buffer, not the backlog. RSS, which also counts
 * garbage not yet collected and memory V8 keeps reserved, may rise at most 256 MiB.
 */
const HEAP_BOUND = 16 * 1024 * 1024
const RSS_BOUND = 256 * 1024 * 1024

/** The flood server in a child process (so only the client's memory is measured); killed with the scope. */
const floodServer = Effect.acquireRelease(
  Effect.async<{ port: number; kill: () => void }>((resume) => {
    const child = spawn(process.execPath, [new URL("./floodServer.mjs", import.meta.url).pathname, String(COUNT)], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.stdout.once("data", (chunk) => resume(Effect.succeed({ port: Number(String(chunk).trim()), kill: () => child.kill() })))
  }),
  ({ kill }) => Effect.sync(kill)
)

describe("flood", () => {
  it.live(`${COUNT.toLocaleString("en")} messages to a slower consumer: all in order, RSS bounded by the buffer`, () =>
    Effect.gen(function*() {
      const server = yield* floodServer
      const client = yield* WebSocketClient
      const heapBefore = heapAfterGc()
      let peakHeap = heapBefore
      const rssBefore = process.memoryUsage().rss
      let peakRss = rssBefore
      let expected = 0
      let outOfOrder = 0
      const started = Date.now()
      const connection = yield* client.connect({ url: `ws://127.0.0.1:${server.port}`, bufferSize: BUFFER })
      yield* connection.messages.pipe(
        // slower than the server: the consumer gives the event loop a turn after every 64 messages
        Stream.tap((message) =>
          Effect.suspend(() => {
            if (message !== String(expected)) outOfOrder++
            expected++
            if (expected % 64 !== 0) return Effect.void
            if (expected % 8192 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
            if (expected % 100_000 === 0) peakHeap = Math.max(peakHeap, heapAfterGc())
            return Effect.yieldNow()
          })
        ),
        Stream.runDrain,
        Effect.catchTag("ConnectionClosed", (closed) => closed.code === 1000 ? Effect.void : Effect.fail(closed))
      )
      const seconds = (Date.now() - started) / 1000
      report("flood", {
        messages: expected,
        seconds: seconds.toFixed(1),
        messagesPerSecond: Math.round(expected / seconds),
        bufferSize: BUFFER,
        peakBuffered: connection.peakBuffered,
        heapBefore: mib(heapBefore),
        peakHeapAfterGc: mib(peakHeap),
        heapGrowth: mib(peakHeap - heapBefore),
        heapBound: mib(HEAP_BOUND),
        rssBefore: mib(rssBefore),
        peakRss: mib(peakRss),
        rssGrowth: mib(peakRss - rssBefore),
        rssBound: mib(RSS_BOUND)
      })
      expect(expected).toBe(COUNT)
      expect(outOfOrder).toBe(0)
      expect(connection.peakBuffered).toBeLessThanOrEqual(BUFFER + 65_536 / 3)
      expect(peakHeap - heapBefore).toBeLessThan(HEAP_BOUND)
      expect(peakRss - rssBefore).toBeLessThan(RSS_BOUND)
    }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive)))
})
