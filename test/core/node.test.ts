import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Queue, type Scope, Stream, TestClock } from "effect"
import {
  ConnectionClosed,
  ConnectionRefused,
  HandshakeRejected,
  InvalidOption,
  ProtocolError,
  Timeout,
  WebSocketClient
} from "../../src/index.js"
import { httpServer, sendAll, tcpServer, wsServer } from "./servers.js"
import { realTransports } from "./transports.js"

// What the web transport says where the WHATWG API gives no reason for a failed handshake.
const NO_REASON = "the WHATWG API gives no reason"

describe.each(realTransports)("$name, against real servers on 127.0.0.1", ({ client: clientLayer, web }) => {
  const live = <A, E>(effect: Effect.Effect<A, E, WebSocketClient | Scope.Scope>) =>
    Effect.provide(Effect.scoped(effect), clientLayer)

  it.effect("text, JSON and binary round-trip; handshake headers reach the server, or are refused by name on the web", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      const headers = { "X-Api-Key": "k-123" }
      if (web) {
        expect(yield* Effect.flip(client.connect({ url: server.url, headers }))).toStrictEqual(
          new InvalidOption({ option: "headers", reason: "the websocket-constructor transport cannot send handshake headers" })
        )
      }
      const connection = yield* client.connect({ url: server.url, ...(web ? {} : { headers }) })
      const side = yield* Queue.take(server.connections)
      expect(side.headers["x-api-key"]).toBe(web ? undefined : "k-123")
      expect(connection.backpressure).toBe(web ? "none" : "pause")
      side.socket.on("message", (data, isBinary) => side.socket.send(data, { binary: isBinary }))
      yield* client.send(connection, "plain text")
      yield* client.send(connection, { type: "hello", list: [1, 2] })
      yield* client.send(connection, new Uint8Array([0, 255, 7]))
      expect(yield* client.receive(connection)).toBe("plain text")
      expect(yield* client.receive(connection)).toStrictEqual({ type: "hello", list: [1, 2] })
      const bytes = yield* client.receive(connection)
      expect(bytes).toBeInstanceOf(Uint8Array)
      expect([...(bytes as Uint8Array)]).toStrictEqual([0, 255, 7])
    })))

  it.effect("coalesceWrites: a burst of 2,000 sends completes and every message round-trips in order", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: server.url, coalesceWrites: true, bufferSize: 4096 })
      const side = yield* Queue.take(server.connections)
      side.socket.on("message", (data, isBinary) => side.socket.send(data, { binary: isBinary }))
      const messages = Array.from({ length: 2000 }, (_, i) => ({ i, pad: "x".repeat(64) }))
      for (const message of messages) yield* client.send(connection, message)
      const echoed = yield* Effect.forEach(messages, () => client.receive(connection))
      expect(echoed).toStrictEqual(messages)
      expect(yield* client.getStats).toMatchObject({ messagesSent: 2000, messagesReceived: 2000, errors: 0 })
    })))

  it.effect.each<[number, string]>([[1000, ""], [1001, "restart"], [4000, "bye"]])(
    "a server close with %d %j surfaces as ConnectionClosed after every message sent before it",
    ([code, reason]) =>
      live(Effect.gen(function*() {
        const server = yield* wsServer()
        const client = yield* WebSocketClient
        const connection = yield* client.connect({ url: server.url })
        const side = yield* Queue.take(server.connections)
        yield* sendAll(side.socket, ["a", "b", "c"])
        side.socket.close(code, reason)
        const received = yield* Effect.replicateEffect(client.receive(connection), 3)
        expect(received).toStrictEqual(["a", "b", "c"])
        const closed = new ConnectionClosed({ code, reason })
        expect(yield* Effect.exit(client.receive(connection))).toStrictEqual(Exit.fail(closed))
        expect(yield* Effect.exit(Stream.runCollect(connection.messages))).toStrictEqual(Exit.fail(closed))
      }))
  )

  it.effect("closing the scope sends 1000 to the server", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      yield* Effect.scoped(client.connect({ url: server.url }))
      const side = yield* Queue.take(server.connections)
      expect(yield* side.closed).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({ connectionsOpened: 1, connectionsClosed: 1, activeConnections: 0 })
    })))

  it.effect("an explicit close sends its code and reason", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: server.url })
      const side = yield* Queue.take(server.connections)
      yield* client.close(connection, { code: 4100, reason: "finished" })
      expect(yield* side.closed).toStrictEqual({ code: 4100, reason: "finished" })
    })))

  it.effect("a port with nothing listening fails with ConnectionRefused", () =>
    live(Effect.gen(function*() {
      const port = yield* Effect.scoped(Effect.map(tcpServer(() => undefined), (s) => s.port))
      const client = yield* WebSocketClient
      const error = yield* Effect.flip(client.connect({ url: `ws://127.0.0.1:${port}/` }))
      expect(error).toBeInstanceOf(ConnectionRefused)
      expect(error.message).toContain(web ? NO_REASON : "ECONNREFUSED")
    })))

  it.effect("connectAll opens 50 real sockets, all usable; its scope closes each with 1000; a refused one fails the batch", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      const sides = yield* Effect.scoped(Effect.gen(function*() {
        const connections = yield* client.connectAll(Array.from({ length: 50 }, () => ({ url: server.url })))
        const sides = yield* Effect.replicateEffect(Queue.take(server.connections), 50)
        for (const side of sides) side.socket.on("message", (data, isBinary) => side.socket.send(data, { binary: isBinary }))
        yield* Effect.forEach(connections, (connection) => client.send(connection, { id: connection.id }), { discard: true })
        const replies = yield* Effect.forEach(connections, (connection) => client.receive(connection))
        expect(replies).toStrictEqual(connections.map((connection) => ({ id: connection.id })))
        return sides
      }))
      const closes = yield* Effect.forEach(sides, (side) => Deferred.await(side.closed))
      expect(closes.every((close) => close.code === 1000)).toBe(true)

      const refusedPort = yield* Effect.scoped(Effect.map(tcpServer(() => undefined), (s) => s.port))
      const error = yield* Effect.flip(Effect.scoped(
        client.connectAll([{ url: server.url }, { url: `ws://127.0.0.1:${refusedPort}/` }, { url: server.url }])
      ))
      expect(error).toBeInstanceOf(ConnectionRefused)
      // Whether the two others had opened when the refusal came, none is left open.
      const stats = yield* client.getStats
      expect(stats).toMatchObject({ activeConnections: 0, errors: 1 })
      expect(stats.connectionsClosed).toBe(stats.connectionsOpened)
    })))

  it.effect("a TCP server that accepts but never answers the handshake times out on the Effect clock", () =>
    live(Effect.gen(function*() {
      const sockets: Array<unknown> = []
      const server = yield* tcpServer((socket) => sockets.push(socket))
      const client = yield* WebSocketClient
      const fiber = yield* Effect.fork(client.connect({ url: `ws://127.0.0.1:${server.port}/`, timeout: "10 seconds" }))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "connect", after: Duration.seconds(10) }))
      )
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 1 })
    })))

  it.effect("an HTTP 401 answer to the upgrade fails with HandshakeRejected 401 (on the web: ConnectionRefused, no status)", () =>
    live(Effect.gen(function*() {
      const server = yield* httpServer(401)
      const client = yield* WebSocketClient
      const url = `ws://127.0.0.1:${server.port}/api/websocket`
      const error = yield* Effect.flip(client.connect({ url }))
      if (web) {
        expect(error).toBeInstanceOf(ConnectionRefused)
        expect(error.message).toContain(NO_REASON)
      } else {
        expect(error).toStrictEqual(new HandshakeRejected({ url, status: 401, reason: "Unauthorized" }))
      }
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 1 })
    })))

  it.effect("a message over maxPayload fails the connection with ProtocolError 1009 (the web refuses the option)", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      const client = yield* WebSocketClient
      if (web) {
        return expect(yield* Effect.flip(client.connect({ url: server.url, maxPayload: 16 }))).toStrictEqual(
          new InvalidOption({ option: "maxPayload", reason: "the websocket-constructor transport cannot bound the inbound message size" })
        )
      }
      const connection = yield* client.connect({ url: server.url, maxPayload: 16 })
      const side = yield* Queue.take(server.connections)
      yield* sendAll(side.socket, ["small", "x".repeat(17)])
      expect(yield* client.receive(connection)).toBe("small")
      const error = yield* Effect.flip(client.receive(connection))
      expect(error).toBeInstanceOf(ProtocolError)
      expect(error).toMatchObject({ code: 1009 })
      expect(yield* side.closed).toMatchObject({ code: 1009 })
    })))

  it.effect("a server that stops answering pings is disconnected as 1006 heartbeat timeout (the web refuses the option)", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer({ autoPong: false })
      const client = yield* WebSocketClient
      const heartbeat = { interval: "5 seconds", timeout: "2 seconds" } as const
      if (web) {
        return expect(yield* Effect.flip(client.connect({ url: server.url, heartbeat }))).toStrictEqual(
          new InvalidOption({ option: "heartbeat", reason: "the websocket-constructor transport cannot send protocol-level pings" })
        )
      }
      const connection = yield* client.connect({ url: server.url, heartbeat })
      yield* Queue.take(server.connections)
      const waiting = yield* Effect.fork(client.receive(connection))
      yield* TestClock.adjust("7 seconds")
      expect(yield* Fiber.await(waiting)).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1006, reason: "heartbeat timeout" }))
      )
    })))

  it.effect("request connects, sends, returns the reply and closes", () =>
    live(Effect.gen(function*() {
      const server = yield* wsServer()
      server.server.on("connection", (socket) => socket.on("message", (data) => socket.send(`echo:${data}`)))
      const client = yield* WebSocketClient
      expect(yield* client.request({ url: server.url, message: "hi" })).toBe("echo:hi")
      expect(yield* client.getStats).toMatchObject({ connectionsOpened: 1, connectionsClosed: 1, activeConnections: 0 })
    })))
})
