import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { WebSocketClient } from "../../src/index.js"
import { Handshake, WebSocketTestServer } from "../../src/testing/index.js"
import { connected, run, url } from "./kit.js"

describe("interruption", () => {
  it.effect("interrupting a connect in its handshake terminates the socket and counts nothing open", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(Effect.scoped(client.connect({ url })))
      yield* Effect.yieldNow()
      const [attempt] = yield* server.attempts
      expect(attempt?.isClosed).toBe(false)
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      expect(attempt?.isClosed).toBe(true)
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, connectionsOpened: 0 })
      // nothing is left in the pool for reset to close
      yield* client.reset
      expect(attempt?.closeFrame).toBeUndefined()
    })))

  it.effect("interrupting a blocked send leaves the connection usable", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      peer.stallWrites = true
      const fiber = yield* Effect.fork(client.send(connection, "stuck"))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      yield* peer.releaseWrites
      yield* client.send(connection, "next")
      expect(peer.sent).toStrictEqual(["stuck", "next"])
      expect(connection.state).toBe("open")
    })))

  it.effect("interrupting a blocked receive leaves no waiter behind: later messages stay buffered", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(client.receive(connection)))
      yield* Effect.yieldNow()
      yield* Effect.forEach(fibers, Fiber.interrupt)
      yield* peer.push("a")
      yield* peer.push("b")
      expect(connection.buffered).toBe(2)
      expect(yield* client.receive(connection)).toBe("a")
    })))

  it.effect("closing a connection stops its heartbeat: no ping after the close", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, heartbeat: { interval: "1 second", timeout: "1 second" } })
      const peer = yield* server.accepted
      yield* TestClock.adjust("3 seconds")
      expect(peer.pings).toBe(3)
      yield* client.close(connection)
      yield* TestClock.adjust("1 minute")
      expect(peer.pings).toBe(3)
    })))
})
