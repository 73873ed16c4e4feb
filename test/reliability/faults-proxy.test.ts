import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Queue } from "effect"
import { ConnectionClosed, WebSocketClient } from "../../src/index.js"
import { sendAll, wsServer } from "../core/servers.js"
import { faultCase } from "./harness.js"
import { chunkingProxy } from "./proxy.js"

describe("fault matrix: a proxy that re-chunks into 1-byte pieces", () => {
  it.effect("messages arrive intact and in order when every byte arrives on its own", () =>
    Effect.gen(function*() {
      const sent = ["a", "héllo wörld", "x".repeat(300), JSON.stringify({ big: "y".repeat(70_000) }), "last"]
      const { exit, leftOpen } = yield* faultCase(Effect.gen(function*() {
        const server = yield* wsServer()
        const proxy = yield* chunkingProxy({ targetPort: server.port })
        const client = yield* WebSocketClient
        const connection = yield* client.connect({ url: `ws://127.0.0.1:${proxy.port}/` })
        const side = yield* Queue.take(server.connections)
        yield* client.send(connection, "from the client")
        const echoed = yield* Queue.take(side.received)
        yield* sendAll(side.socket, sent)
        const received = yield* Effect.replicateEffect(client.receive(connection), sent.length)
        return { echoed: String(echoed.data), received }
      }))
      expect(exit).toStrictEqual(Exit.succeed({
        echoed: "from the client",
        received: ["a", "héllo wörld", "x".repeat(300), { big: "y".repeat(70_000) }, "last"]
      }))
      expect(leftOpen).toStrictEqual([])
    }), 60_000)

  it.effect("a cut in the middle of a frame → the complete messages before it, then ConnectionClosed 1006", () =>
    Effect.gen(function*() {
      // frames: "one" (2+3 bytes), "two" (2+3), then a 200-byte message (4+200): cut 50 bytes into the third
      const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
        const server = yield* wsServer()
        const proxy = yield* chunkingProxy({ targetPort: server.port, cutAfterServerBytes: 10 + 50 })
        const client = yield* WebSocketClient
        const connection = yield* client.connect({ url: `ws://127.0.0.1:${proxy.port}/` })
        const side = yield* Queue.take(server.connections)
        yield* sendAll(side.socket, ["one", "two", "z".repeat(200)])
        const before = yield* Effect.replicateEffect(client.receive(connection), 2)
        const failure = yield* Effect.flip(client.receive(connection))
        return { before, failure }
      }))
      expect(exit).toStrictEqual(Exit.succeed({ before: ["one", "two"], failure: new ConnectionClosed({ code: 1006, reason: "" }) }))
      expect(stats.activeConnections).toBe(0)
      expect(leftOpen).toStrictEqual([])
    }), 60_000)
})
