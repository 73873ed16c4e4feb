import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, TestClock } from "effect"
import {
  ConnectionRefused,
  HandshakeRejected,
  InvalidOption,
  InvalidUrl,
  Timeout,
  TlsError,
  WebSocketClient
} from "../../src/index.js"
import { make } from "../../src/core/WebSocketClient.js"
import { Handshake, WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { run, url } from "./kit.js"


describe("connect", () => {
  it.effect("opens a connection and sends the handshake headers, protocols and URL", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.accept("chat"))
      const connection = yield* client.connect({
        url: "ws://user:secret@example.test/socket?token=abc",
        headers: { Authorization: "Bearer abc" },
        protocols: ["chat", "superchat"]
      })
      const peer = yield* server.accepted
      expect(connection.state).toBe("open")
      expect(connection.protocol).toBe("chat")
      expect(connection.url).toBe("ws://example.test/socket")
      expect(peer.headers).toStrictEqual({ Authorization: "Bearer abc" })
      expect(peer.request.protocols).toStrictEqual(["chat", "superchat"])
      expect(peer.request.url.href).toBe("ws://user:secret@example.test/socket?token=abc")
    })))

  it.effect("a refused connection fails with ConnectionRefused", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.refuse)
      const exit = yield* Effect.exit(client.connect({ url }))
      expect(exit).toStrictEqual(
        Exit.fail(new ConnectionRefused({ url, detail: "ECONNREFUSED (in-memory test server)" }))
      )
    })))

  it.effect("an HTTP answer other than 101 fails with HandshakeRejected and its status", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.reject(401))
      const exit = yield* Effect.exit(client.connect({ url }))
      expect(exit).toStrictEqual(
        Exit.fail(new HandshakeRejected({ url, status: 401, reason: "rejected by the test server" }))
      )
    })))

  it.effect("a TLS failure fails with TlsError", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.tlsFailure)
      const error = yield* Effect.flip(client.connect({ url: "wss://example.test/" }))
      expect(error).toBeInstanceOf(TlsError)
      expect(error._tag).toBe("TlsError")
    })))

  it.effect("a handshake that never completes times out after 10 seconds by default", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(client.connect({ url }))
      yield* TestClock.adjust("9999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      expect(exit).toStrictEqual(Exit.fail(new Timeout({ operation: "connect", after: Duration.seconds(10) })))
      const [attempt] = yield* server.attempts
      expect(attempt?.isClosed).toBe(true)
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, connectionsOpened: 0, errors: 1 })
    })))

  it.effect("the connect timeout is configurable", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(client.connect({ url, timeout: "250 millis" }))
      yield* TestClock.adjust("250 millis")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "connect", after: Duration.millis(250) }))
      )
    })))

  it.effect("a client whose scope has closed still fails a hanging connect with Timeout, and destroys the socket", () =>
    Effect.gen(function*() {
      const client = yield* Effect.scoped(make)
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(Effect.scoped(client.connect({ url, timeout: "250 millis" })))
      yield* TestClock.adjust("250 millis")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "connect", after: Duration.millis(250) }))
      )
      const [attempt] = yield* server.attempts
      expect(attempt?.isClosed).toBe(true)
    }).pipe(Effect.provide(WebSocketTest.transportLayer)))

  it.effect.each<[string, string]>([
    ["", "the URL is empty"],
    ["not a url", "the URL cannot be parsed"],
    ["http://example.test/", "the scheme must be ws: or wss:, got http:"],
    ["javascript:alert(1)", "the scheme must be ws: or wss:, got javascript:"],
    ["ws://example.test/#fragment", "a WebSocket URL cannot carry a fragment (#...)"]
  ])("the URL %j fails with InvalidUrl", ([input, reason]) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const exit = yield* Effect.exit(client.connect({ url: input }))
      expect(exit).toStrictEqual(Exit.fail(new InvalidUrl({ reason })))
      expect(yield* server.attempts).toStrictEqual([])
    })))

  it.effect.each<[Record<string, unknown>, string]>([
    [{ timeout: -1 }, "timeout"],
    [{ timeout: Number.NaN }, "timeout"],
    [{ timeout: "soon" }, "timeout"],
    [{ headers: { "X-Token": "a\r\nInjected: 1" } }, "headers"],
    [{ headers: { "X-Count": 1 } }, "headers"],
    [{ protocols: ["a b"] }, "protocols"],
    [{ protocols: ["chat", "chat"] }, "protocols"],
    [{ maxPayload: 0 }, "maxPayload"],
    [{ bufferSize: 1.5 }, "bufferSize"],
    [{ heartbeat: { interval: 0, timeout: 10 } }, "heartbeat.interval"],
    [{ coalesceWrites: "yes" }, "coalesceWrites"]
  ])("the option %j fails with InvalidOption naming it", ([options, option]) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const error = yield* Effect.flip(client.connect({ url, ...options } as never))
      expect(error).toBeInstanceOf(InvalidOption)
      expect((error as InvalidOption).option).toBe(option)
    })))

  it.effect("a header value never appears in the error about it", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const error = yield* Effect.flip(client.connect({ url, headers: { Authorization: "Bearer s3cr3t\n" } }))
      expect(error.message).toBe("Invalid WebSocket option 'headers': the value of 'Authorization' holds CR, LF or NUL")
      expect(JSON.stringify(error)).not.toContain("s3cr3t")
    })))
})
