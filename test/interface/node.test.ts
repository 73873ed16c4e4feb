import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Queue } from "effect"
import { WebSocketClientLive, WebSocketInterface, WebSocketInterfaceLive, websocketConnect, websocketGetStats, websocketReceive, websocketSend, GatewayLive } from "../../src/index.js"
import { wsServer } from "../core/servers.js"

describe("interface and gateway against a real ws server on 127.0.0.1", () => {
  it.effect("every operation through WebSocketInterface on the Node client", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      server.server.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
      const ws = yield* WebSocketInterface
      const connection = yield* ws.execute("connect", { url: server.url, headers: { "X-Trace": "t1" }, timeout: 5 })
      const side = yield* Queue.take(server.connections)
      expect(side.headers["x-trace"]).toBe("t1")
      expect(yield* ws.execute("send", { connection, message: { n: 1 } })).toBe(true)
      expect(yield* ws.execute("receive", { connection, timeout: 5 })).toStrictEqual({ n: 1 })
      expect(yield* ws.execute("close", { connection, code: 4001, reason: "r" })).toBe(true)
      expect(yield* side.closed).toStrictEqual({ code: 4001, reason: "r" })
      expect(yield* ws.execute("request", { url: server.url, message: "hi", timeout: 5 })).toBe("hi")
      expect(yield* ws.execute("get_stats")).toStrictEqual({
        connections_opened: 2,
        connections_closed: 2,
        messages_sent: 2,
        messages_received: 2,
        errors: 0,
        active_connections: 0
      })
      yield* Queue.take(server.connections) // the request's connection
      yield* ws.execute("connect", { url: server.url })
      const open = yield* Queue.take(server.connections)
      expect(yield* ws.execute("reset")).toBe(true)
      expect(yield* open.closed).toStrictEqual({ code: 1001, reason: "going away" })
    }).pipe(Effect.scoped, Effect.provide(WebSocketInterfaceLive.pipe(Layer.provide(WebSocketClientLive)))))

  it.effect("the gateway wrappers on the default Node gateway", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      server.server.on("connection", (socket) => socket.on("message", (data) => socket.send(`got ${data}`)))
      const connection = yield* websocketConnect({ url: server.url })
      yield* websocketSend({ connection, message: "x" })
      expect(yield* websocketReceive({ connection })).toBe("got x")
      expect(yield* websocketGetStats()).toMatchObject({ connections_opened: 1, messages_received: 1 })
    }).pipe(Effect.scoped, Effect.provide(GatewayLive)))
})
