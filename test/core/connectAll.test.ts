import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Scope, Supervisor, TestClock } from "effect"
import { ConnectionRefused, InvalidOption, InvalidUrl, Timeout, WebSocketClient } from "../../src/index.js"
import { make } from "../../src/core/WebSocketClient.js"
import { Handshake, WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { expectClosedTogether, run, url } from "./kit.js"

/** Counts the fibers started under it. */
class StartedFibers extends Supervisor.AbstractSupervisor<number> {
  started = 0
  value = Effect.sync(() => this.started)
  override onStart(): void {
    this.started++
  }
}

/** Handshakes answered by path: `/hang` never completes, `/refuse` is refused, any other is accepted. */
const accept = Handshake.accept()
const answerByPath = (request: { readonly url: URL }) =>
  request.url.pathname === "/hang" ? Handshake.hang : request.url.pathname === "/refuse" ? Handshake.refuse : accept

describe("connectAll", () => {
  it.effect("opens every connection at once, in order, with one wait: no fiber per connection, even right after the client is built", () =>
    Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      // Built in this fiber and used before it yields: the client's timer fiber has not run yet.
      const client = yield* make
      const supervisor = new StartedFibers()
      const urls = Array.from({ length: 20 }, (_, i) => `ws://example.test/${i}`)
      const connections = yield* Effect.supervised(client.connectAll(urls.map((url) => ({ url }))), supervisor)
      expect(supervisor.started).toBe(0)
      expect(connections.map((connection) => connection.url)).toStrictEqual(urls)
      expect(connections.every((connection) => connection.state === "open")).toBe(true)
      expect((yield* server.attempts).map((peer) => peer.request.redactedUrl)).toStrictEqual(urls)
      expect(yield* client.getStats).toMatchObject({ connectionsOpened: 20, activeConnections: 20, errors: 0 })
    }).pipe(Effect.scoped, Effect.provide(WebSocketTest.transportLayer)))

  it.effect("each connection works on its own: send, receive and close one of them", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const [first, second] = yield* client.connectAll([{ url }, { url }])
      const firstPeer = yield* server.accepted
      const secondPeer = yield* server.accepted
      yield* client.send(second!, { to: "second" })
      expect(yield* secondPeer.receiveJson).toStrictEqual({ to: "second" })
      yield* firstPeer.push("to first")
      expect(yield* client.receive(first!)).toBe("to first")
      yield* client.close(first!)
      expect([first!.state, second!.state]).toStrictEqual(["closed", "open"])
    })))

  it.effect("the scope closes them all together: one closeTimeout in all for peers that never answer", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const scope = yield* Scope.make()
      yield* Scope.extend(client.connectAll([1, 2, 3].map(() => ({ url, closeTimeout: "3 seconds" }))), scope)
      const peers = [yield* server.accepted, yield* server.accepted, yield* server.accepted]
      for (const peer of peers) peer.autoCloseReply = false
      yield* expectClosedTogether(Scope.close(scope, Exit.void), peers, 3000)
      expect(yield* client.getStats).toMatchObject({ connectionsClosed: 3, activeConnections: 0 })
    })))

  it.effect("an invalid option fails the call before any socket is opened", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const error = yield* Effect.flip(client.connectAll([{ url }, { url: "http://example.test/" }, { url }]))
      expect(error).toBeInstanceOf(InvalidUrl)
      expect(yield* server.attempts).toStrictEqual([])
      expect(yield* client.getStats).toMatchObject({ connectionsOpened: 0, errors: 1 })
    })))

  it.effect("one refused: the refusal is the error and no connection is left open", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(answerByPath)
      const paths = ["/a", "/refuse", "/b"]
      const exit = yield* Effect.exit(client.connectAll(paths.map((path) => ({ url: `ws://example.test${path}` }))))
      expect(exit).toStrictEqual(Exit.fail(new ConnectionRefused({
        url: "ws://example.test/refuse",
        detail: "ECONNREFUSED (in-memory test server)"
      })))
      const attempts = yield* server.attempts
      expect(attempts.map((peer) => peer.isClosed)).toStrictEqual([true, true, true])
      expect([attempts[0]?.closeFrame, attempts[2]?.closeFrame]).toStrictEqual([
        { code: 1000, reason: "" },
        { code: 1000, reason: "" }
      ])
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 1 })
    })))

  it.effect("a handshake that hangs fails the call after its own connect timeout; the others are closed", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(answerByPath)
      const fiber = yield* Effect.fork(client.connectAll([
        { url: "ws://example.test/a" },
        { url: "ws://example.test/hang", timeout: "2 seconds" }
      ]))
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "connect", after: Duration.seconds(2) }))
      )
      const [open, hung] = yield* server.attempts
      expect(open?.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(hung?.isClosed).toBe(true)
      expect(yield* client.getStats).toMatchObject({ connectionsOpened: 1, activeConnections: 0, errors: 1 })
    })))

  it.effect("a client whose scope has closed still bounds each connect and, when one fails, leaves none open", () =>
    Effect.gen(function*() {
      const client = yield* Effect.scoped(make)
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(answerByPath)
      const fiber = yield* Effect.fork(Effect.scoped(client.connectAll([
        { url: "ws://example.test/a" },
        { url: "ws://example.test/hang", timeout: "2 seconds" }
      ])))
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "connect", after: Duration.seconds(2) }))
      )
      expect((yield* server.attempts).map((peer) => peer.isClosed)).toStrictEqual([true, true])
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 1 })
    }).pipe(Effect.provide(WebSocketTest.transportLayer)))

  it.effect("interrupted while waiting: a handshake in progress is abandoned and the open ones start closing at once", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(answerByPath)
      const scope = yield* Scope.make()
      const fiber = yield* Effect.fork(
        Scope.extend(client.connectAll([{ url: "ws://example.test/a" }, { url: "ws://example.test/hang" }]), scope)
      )
      const open = yield* server.accepted
      yield* Fiber.interrupt(fiber)
      const [, hung] = yield* server.attempts
      expect(hung?.isClosed).toBe(true)
      expect(open.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      yield* Scope.close(scope, Exit.void)
      expect(open.isClosed).toBe(true)
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 0 })
    })))

  it.effect("starts each connection's heartbeat", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const heartbeat = { interval: "10 seconds", timeout: "5 seconds" } as const
      yield* client.connectAll([{ url, heartbeat }, { url }])
      const [beating, quiet] = [yield* server.accepted, yield* server.accepted]
      yield* TestClock.adjust("30 seconds")
      expect([beating.pings, quiet.pings]).toStrictEqual([3, 0])
    })))

  it.effect("an empty list opens nothing; a value that is not a list is an InvalidOption", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      expect(yield* client.connectAll([])).toStrictEqual([])
      const error = yield* Effect.flip(client.connectAll({ url } as never))
      expect(error).toStrictEqual(new InvalidOption({ option: "options", reason: "expected an array of connect options" }))
    })))
})
