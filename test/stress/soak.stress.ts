import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { WebSocketClient, WebSocketClientLive } from "../../src/index.js"
import { echoServer } from "./echoServer.js"
import { heapAfterGc, mib, report } from "./figures.js"

const CYCLES = 10_000
/** The stated bound: heap after GC may grow at most this much over 10,000 cycles. */
const HEAP_BOUND = 16 * 1024 * 1024

const handles = () => process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap" && r !== "Timeout").length

describe("soak", () => {
  it.live(`${CYCLES} connect→send→receive→close cycles leave no connection, handle or heap growth behind`, () =>
    Effect.gen(function*() {
      const server = yield* echoServer
      const client = yield* WebSocketClient
      const cycle = (i: number) =>
        Effect.scoped(Effect.gen(function*() {
          const connection = yield* client.connect({ url: server.url })
          yield* client.send(connection, { i })
          return yield* client.receive(connection, { timeout: "10 seconds" })
        }))
      yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), cycle, { discard: true }) // warm-up
      const baselineHandles = handles()
      const heapStart = heapAfterGc()
      const started = Date.now()
      let wrong = 0
      for (let i = 0; i < CYCLES; i++) {
        const reply = yield* cycle(i)
        if ((reply as { i?: number }).i !== i) wrong++
      }
      const seconds = (Date.now() - started) / 1000
      for (let i = 0; i < 200 && handles() > baselineHandles; i++) yield* Effect.sleep("5 millis")
      const heapEnd = heapAfterGc()
      const stats = yield* client.getStats
      report("soak", {
        cycles: CYCLES,
        seconds: seconds.toFixed(1),
        cyclesPerSecond: Math.round(CYCLES / seconds),
        activeConnections: stats.activeConnections,
        handlesBefore: baselineHandles,
        handlesAfter: handles(),
        heapStart: mib(heapStart),
        heapEnd: mib(heapEnd),
        heapGrowth: mib(heapEnd - heapStart),
        heapBound: mib(HEAP_BOUND)
      })
      expect(wrong).toBe(0)
      expect(stats).toMatchObject({ activeConnections: 0, connectionsOpened: CYCLES + 200, connectionsClosed: CYCLES + 200, errors: 0 })
      expect(handles()).toBeLessThanOrEqual(baselineHandles)
      expect(heapEnd - heapStart).toBeLessThan(HEAP_BOUND)
    }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive)))
})
