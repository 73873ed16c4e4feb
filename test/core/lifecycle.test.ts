import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Duration, Effect, Exit, Fiber, Layer, Scope, TestClock } from "effect"
import { ConnectionClosed, InvalidOption, Timeout, WebSocketClient, WebSocketClientLayer } from "../../src/index.js"
import { WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { expectClosedTogether, run, url } from "./kit.js"


describe("close", () => {
  it.effect("closes with 1000 by default and completes the close handshake", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      yield* client.close(connection)
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(connection.state).toBe("closed")
      expect(yield* client.getStats).toMatchObject({ connectionsClosed: 1, activeConnections: 0 })
    })))

  it.effect("sends the given code and reason", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      yield* client.close(connection, { code: 4001, reason: "done here" })
      expect(peer.closeFrame).toStrictEqual({ code: 4001, reason: "done here" })
    })))

  it.effect("is idempotent: a second close succeeds and sends nothing more", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      yield* client.close(connection, { code: 1000 })
      yield* client.close(connection, { code: 4002 })
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({ connectionsClosed: 1, errors: 0 })
    })))

  it.effect.each([999, 1004, 1005, 1006, 1015, 2999, 5000, Number.NaN, 1000.5, "1000"])(
    "the close code %j is an InvalidOption and the connection stays open",
    (code) =>
      run(Effect.gen(function*() {
        const client = yield* WebSocketClient
        const connection = yield* client.connect({ url })
        const error = yield* Effect.flip(client.close(connection, { code: code as number }))
        expect(error).toBeInstanceOf(InvalidOption)
        expect(error).toMatchObject({ option: "code" })
        expect(connection.state).toBe("open")
      }))
  )

  it.effect.each([1000, 1001, 1003, 1007, 1014, 3000, 4999])("the close code %d is accepted", (code) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      yield* client.close(connection, { code })
      expect(peer.closeFrame?.code).toBe(code)
    })))

  it.effect("a reason over 123 UTF-8 bytes is an InvalidOption", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url })
      // 62 two-byte characters: 124 bytes although only 62 characters long
      const exit = yield* Effect.exit(client.close(connection, { reason: "é".repeat(62) }))
      expect(exit).toStrictEqual(
        Exit.fail(new InvalidOption({ option: "reason", reason: "is 124 UTF-8 bytes; at most 123 fit a close frame" }))
      )
      yield* client.close(connection, { reason: "é".repeat(61) })
    })))

  it.effect("a peer that never answers the close frame is terminated after closeTimeout and close fails with Timeout", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url, closeTimeout: "3 seconds" })
      const peer = yield* server.accepted
      peer.autoCloseReply = false
      const fiber = yield* Effect.fork(client.close(connection))
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "close", after: Duration.seconds(3) }))
      )
      expect(peer.isClosed).toBe(true)
      expect(yield* Effect.exit(client.receive(connection))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1006, reason: "close handshake timed out" }))
      )
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0 })
    })))
})

describe("scope", () => {
  it.effect("closing the scope closes the connection with 1000, whether the scope succeeded or failed", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* Effect.scoped(client.connect({ url }))
      const first = yield* server.accepted
      yield* Effect.exit(Effect.scoped(Effect.zipRight(client.connect({ url }), Effect.fail("boom"))))
      const second = yield* server.accepted
      expect(first.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(second.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({ connectionsOpened: 2, connectionsClosed: 2, activeConnections: 0 })
    })))

  it.effect("interrupting the fiber that owns the scope closes the connection", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connected = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        Effect.scoped(client.connect({ url }).pipe(Effect.zipRight(Deferred.succeed(connected, undefined)), Effect.zipRight(Effect.never)))
      )
      const peer = yield* server.accepted
      yield* Deferred.await(connected)
      yield* Fiber.interrupt(fiber)
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0 })
    })))

  // Three connections to peers that never answer the close frame, opened in `scope` (`wrap` around the opening).
  const silentPeers = (scope: Scope.Scope, wrap: <A, E, R>(open: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      return yield* Scope.extend(
        wrap(Effect.forEach([1, 2, 3], () =>
          Effect.gen(function*() {
            yield* client.connect({ url, closeTimeout: "3 seconds" })
            const peer = yield* server.accepted
            peer.autoCloseReply = false
            return peer
          }))),
        scope
      )
    })

  it.effect("a scope closes its connections one after another, last opened first, each bounded by closeTimeout", () =>
    run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const peers = yield* silentPeers(scope, (open) => open)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("3 seconds")
      expect(peers.map((peer) => peer.isClosed)).toStrictEqual([false, false, true])
      expect(peers.map((peer) => peer.closeFrame?.code)).toStrictEqual([undefined, 1000, 1000])
      yield* TestClock.adjust("3 seconds")
      expect(peers.map((peer) => peer.isClosed)).toStrictEqual([false, true, true])
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.join(closing)
      expect(peers.map((peer) => peer.isClosed)).toStrictEqual([true, true, true])
      expect(yield* (yield* WebSocketClient).getStats).toMatchObject({ connectionsClosed: 3, activeConnections: 0 })
    })))

  it.effect("under Effect.parallelFinalizers a scope closes all its connections at once: one closeTimeout in all", () =>
    run(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const peers = yield* silentPeers(scope, Effect.parallelFinalizers)
      yield* expectClosedTogether(Scope.close(scope, Exit.void), peers, 3000)
      expect(yield* (yield* WebSocketClient).getStats).toMatchObject({ connectionsClosed: 3, activeConnections: 0 })
    })))

  it.effect("releasing the client layer closes every connection it opened with 1001 going away", () =>
    Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      const layerScope = yield* Scope.make()
      const client = Context.get(yield* Layer.buildWithScope(WebSocketClientLayer, layerScope), WebSocketClient)
      const connectionScope = yield* Scope.make()
      yield* Scope.extend(client.connect({ url }), connectionScope)
      const peer = yield* server.accepted
      yield* Scope.close(layerScope, Exit.void)
      expect(peer.closeFrame).toStrictEqual({ code: 1001, reason: "going away" })
      yield* Scope.close(connectionScope, Exit.void)
    }).pipe(Effect.provide(WebSocketTest.transportLayer)))
})
