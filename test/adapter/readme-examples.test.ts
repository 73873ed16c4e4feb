// The README's three calling-style examples, run against a real echo server (only the URL differs).
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Effect, Layer } from "effect"
import { WebSocketServer } from "ws"
import {
  ConnectionRefused,
  createWebSocketInterface,
  executeWebSocketOperation,
  GatewayLive,
  shutdownWebSocketInterface,
  WebSocketClientLive,
  websocketConnect,
  WebSocketInterface,
  WebSocketInterfaceLive,
  websocketReceive,
  websocketSend
} from "../../src/index.js"

let server: WebSocketServer
let url = ""
beforeAll(async () => {
  server = await new Promise<WebSocketServer>((resolve) => {
    const s: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(s))
  })
  server.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
  const address = server.address()
  url = `ws://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
})
afterAll(() =>
  new Promise<void>((resolve) => {
    for (const client of server.clients) client.terminate()
    server.close(() => resolve())
  })
)

describe("README examples", () => {
  it("style 1: the Effect Layer", async () => {
    const program = Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const connection = yield* ws.execute("connect", { url, timeout: 5 })
      yield* ws.execute("send", { connection, message: { type: "hello" } })
      const reply = yield* ws.execute("receive", { connection, timeout: 5 })
      yield* ws.execute("close", { connection })
      return reply
    }).pipe(Effect.catchTag("InvalidParameter", (e) => Effect.fail(e.message)))

    const InterfaceLive = WebSocketInterfaceLive.pipe(Layer.provide(WebSocketClientLive))
    expect(await Effect.runPromise(program.pipe(Effect.provide(InterfaceLive)))).toStrictEqual({ type: "hello" })
  })

  it("style 2: the gateway", async () => {
    const program = Effect.gen(function*() {
      const connection = yield* websocketConnect({ url })
      yield* websocketSend({ connection, message: "ping" })
      return yield* websocketReceive({ connection, timeout: 5 })
    })

    expect(await Effect.runPromise(program.pipe(Effect.provide(GatewayLive)))).toBe("ping")
  })

  it("style 3: Promises", async () => {
    const connection = await executeWebSocketOperation("connect", { url })
    await executeWebSocketOperation("send", { connection, message: { hello: "world" } })
    expect(await executeWebSocketOperation("receive", { connection, timeout: 5 })).toStrictEqual({ hello: "world" })
    await shutdownWebSocketInterface()

    const ws = createWebSocketInterface()
    try {
      expect(await ws.execute("request", { url, message: "hi" })).toBe("hi")
      await ws.execute("connect", { url: "ws://127.0.0.1:1/" })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConnectionRefused)
      expect((error as ConnectionRefused)._tag).toBe("ConnectionRefused")
    } finally {
      await ws.dispose()
    }
  })
})
