import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { WebSocketClient, WebSocketClientLive } from "../../src/index.js"
import { echoServer } from "./echoServer.js"
import { report } from "./figures.js"

const CONNECTIONS = 1_000

describe("concurrency", () => {
  it.live(`${CONNECTIONS} connections open at once from one client, each doing request/response; stats exact`, () =>
    Effect.gen(function*() {
      const server = yield* echoServer
      const client = yield* WebSocketClient
      const allOpen = yield* Deferred.make<void>()
      let open = 0
      let peakActive = 0
      const started = Date.now()
      const replies = yield* Effect.forEach(
        Array.from({ length: CONNECTIONS }, (_, i) => i),
        (i) =>
          Effect.scoped(Effect.gen(function*() {
            const connection = yield* client.connect({ url: server.url, timeout: "30 seconds" })
            if (++open === CONNECTIONS) yield* Deferred.succeed(allOpen, undefined)
            // every connection stays open until all of them are, so they really are open at once
            yield* Deferred.await(allOpen)
            peakActive = Math.max(peakActive, (yield* client.getStats).activeConnections)
            yield* client.send(connection, { i })
            return yield* client.receive(connection, { timeout: "30 seconds" })
          })),
        { concurrency: "unbounded" }
      )
      const seconds = (Date.now() - started) / 1000
      const stats = yield* client.getStats
      report("concurrency", { connections: CONNECTIONS, seconds: seconds.toFixed(1), peakActive, ...stats })
      expect(replies).toStrictEqual(Array.from({ length: CONNECTIONS }, (_, i) => ({ i })))
      expect(peakActive).toBe(CONNECTIONS)
      expect(stats).toMatchObject({
        connectionsOpened: CONNECTIONS,
        connectionsClosed: CONNECTIONS,
        messagesSent: CONNECTIONS,
        messagesReceived: CONNECTIONS,
        errors: 0,
        activeConnections: 0
      })
    }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive)))
})
