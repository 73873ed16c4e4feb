import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { ConnectionClosed, WebSocketClient } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run, url } from "./kit.js"


describe("heartbeat", () => {
  it.effect("keeps a connection whose peer answers pings", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, heartbeat: { interval: "10 seconds", timeout: "5 seconds" } })
      yield* server.accepted
      yield* TestClock.adjust("5 minutes")
      expect(connection.state).toBe("open")
    })))

  it.effect("a missing pong ends the connection as ConnectionClosed 1006 heartbeat timeout", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, heartbeat: { interval: "10 seconds", timeout: "5 seconds" } })
      const peer = yield* server.accepted
      const waiting = yield* Effect.fork(client.receive(connection))
      yield* TestClock.adjust("30 seconds")
      expect(connection.state).toBe("open")
      peer.autoPong = false
      yield* TestClock.adjust("14 seconds")
      expect(connection.state).toBe("open")
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.await(waiting)).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1006, reason: "heartbeat timeout" }))
      )
      expect(peer.isClosed).toBe(true)
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0 })
    })))

  it.effect("is off by default: a peer that never pongs is not disconnected", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      peer.autoPong = false
      yield* TestClock.adjust("1 hour")
      expect(connection.state).toBe("open")
    })))
})
