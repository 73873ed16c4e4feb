import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Fiber, Layer, Scope, TestClock } from "effect"
import {
  ConnectionClosed,
  ConnectionHandle,
  ConnectionRefused,
  InvalidUrl,
  Timeout,
  WebSocketInterface,
  WebSocketInterfaceLive
} from "../../src/index.js"
import { Handshake, WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { expectClosedTogether } from "../core/kit.js"
import { run, url } from "./kit.js"

describe("WebSocketInterface operations", () => {
  it.effect("connect returns a handle; send, receive and close work through it", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const server = yield* WebSocketTestServer
      const handle = yield* ws.execute("connect", { url, headers: { "X-Key": "1" }, timeout: 2.5 })
      expect(handle).toBeInstanceOf(ConnectionHandle)
      expect(String(handle)).toMatch(/^ConnectionHandle\(ws-\d+ ws:\/\/example\.test\/\)$/)
      const peer = yield* server.accepted
      expect(peer.headers).toStrictEqual({ "X-Key": "1" })
      expect(yield* ws.execute("send", { connection: handle, message: { a: 1 } })).toBe(true)
      expect(yield* ws.execute("send", { connection: handle, message: "text" })).toBe(true)
      expect(peer.sent).toStrictEqual(["{\"a\":1}", "text"])
      yield* peer.push("{\"b\":2}")
      yield* peer.push("42")
      expect(yield* ws.execute("receive", { connection: handle })).toStrictEqual({ b: 2 })
      expect(yield* ws.execute("receive", { connection: handle, timeout: 1 })).toBe("42")
      expect(yield* ws.execute("close", { connection: handle, code: 4000, reason: "bye" })).toBe(true)
      expect(peer.closeFrame).toStrictEqual({ code: 4000, reason: "bye" })
    })))

  it.effect("timeouts are seconds, fractions allowed, on the Effect clock", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.execute("connect", { url })
      const fiber = yield* Effect.fork(ws.execute("receive", { connection: handle, timeout: 1.5 }))
      yield* TestClock.adjust("1500 millis")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "receive", after: Duration.millis(1500) }))
      )
    })))

  it.effect("request returns the reply and closes its connection", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const server = yield* WebSocketTestServer
      yield* Effect.fork(Effect.gen(function*() {
        const peer = yield* server.accepted
        const frame = yield* peer.receiveJson
        yield* peer.push({ echo: frame })
      }))
      expect(yield* ws.execute("request", { url, message: { q: 1 }, timeout: 5 })).toStrictEqual({ echo: { q: 1 } })
      const [peer] = yield* server.attempts
      expect(peer?.closeFrame).toStrictEqual({ code: 1000, reason: "" })
    })))

  it.effect("get_stats answers in the callers' snake_case contract, exact after a scripted sequence", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const server = yield* WebSocketTestServer
      const first = yield* ws.execute("connect", { url })
      const peer = yield* server.accepted
      yield* ws.execute("connect", { url })
      yield* ws.execute("send", { connection: first, message: "a" })
      yield* ws.execute("send", { connection: first, message: "b" })
      yield* peer.push("c")
      yield* ws.execute("receive", { connection: first })
      yield* ws.execute("close", { connection: first })
      yield* Effect.exit(ws.execute("send", { connection: first, message: "late" }))
      expect(yield* ws.execute("get_stats")).toStrictEqual({
        connections_opened: 2,
        connections_closed: 1,
        messages_sent: 2,
        messages_received: 1,
        errors: 1,
        active_connections: 1
      })
    })))

  it.effect("reset closes every open connection (the server sees 1001) and zeroes stats", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const server = yield* WebSocketTestServer
      const handle = yield* ws.execute("connect", { url })
      yield* ws.execute("connect", { url })
      const peers = [yield* server.accepted, yield* server.accepted]
      expect(yield* ws.execute("reset")).toBe(true)
      expect(peers.map((peer) => peer.closeFrame)).toStrictEqual([
        { code: 1001, reason: "going away" },
        { code: 1001, reason: "going away" }
      ])
      expect(yield* ws.execute("get_stats")).toMatchObject({ connections_opened: 0, active_connections: 0 })
      expect(yield* Effect.exit(ws.execute("send", { connection: handle, message: "x" }))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1001, reason: "going away" }))
      )
    })))

  it.effect("releasing the interface closes its connections together: one close handshake in all", () =>
    Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      const layerScope = yield* Scope.make()
      const ws = Context.get(yield* Layer.buildWithScope(WebSocketInterfaceLive, layerScope), WebSocketInterface)
      const peers = yield* Effect.forEach([1, 2, 3], () =>
        Effect.gen(function*() {
          yield* ws.connect({ url })
          const peer = yield* server.accepted
          peer.autoCloseReply = false // never answers the close frame: each close waits its full 5 s closeTimeout
          return peer
        }))
      yield* expectClosedTogether(Scope.close(layerScope, Exit.void), peers, 5000)
    }).pipe(Effect.provide(WebSocketTest.layer)))

  it.effect("using a handle after close fails with ConnectionClosed; close again still succeeds", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.execute("connect", { url })
      yield* ws.execute("close", { connection: handle })
      expect(yield* Effect.exit(ws.execute("send", { connection: handle, message: "x" }))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1000, reason: "" }))
      )
      expect(yield* Effect.exit(ws.execute("receive", { connection: handle }))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1000, reason: "" }))
      )
      expect(yield* ws.execute("close", { connection: handle })).toBe(true)
    })))

  it.effect("messages a peer sent before closing can still be received through the handle", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const server = yield* WebSocketTestServer
      const handle = yield* ws.execute("connect", { url })
      const peer = yield* server.accepted
      yield* peer.push("last words")
      yield* peer.close(1000, "done")
      expect(yield* ws.execute("receive", { connection: handle })).toBe("last words")
      expect(yield* Effect.exit(ws.execute("receive", { connection: handle }))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1000, reason: "done" }))
      )
    })))

  it.effect("core errors pass through unchanged", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const server = yield* WebSocketTestServer
      expect(yield* Effect.exit(ws.execute("connect", { url: "http://example.test/" }))).toStrictEqual(
        Exit.fail(new InvalidUrl({ reason: "the scheme must be ws: or wss:, got http:" }))
      )
      yield* server.setHandshake(Handshake.refuse)
      expect(yield* Effect.exit(ws.execute("connect", { url }))).toStrictEqual(
        Exit.fail(new ConnectionRefused({ url, detail: "ECONNREFUSED (in-memory test server)" }))
      )
    })))

  it.effect("the typed methods go through the same validation as execute", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.connect({ url })
      expect(yield* ws.send({ connection: handle, message: "x" })).toBe(true)
      const error = yield* Effect.flip(ws.send({ connection: handle }))
      expect(error.message).toBe("websocket.send requires 'message'")
    })))
})
