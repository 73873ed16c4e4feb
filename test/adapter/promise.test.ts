import { afterEach, describe, expect, it } from "vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { WebSocketServer } from "ws"
import {
  ConnectionClosed,
  ConnectionHandle,
  ConnectionRefused,
  createWebSocketInterface,
  executeWebSocketOperation,
  InterfaceUnavailable,
  InvalidParameter,
  ParameterTypeError,
  shutdownWebSocketInterface,
  TransportUnavailable,
  UnknownOperation,
  WebSocketClientLayer
} from "../../src/index.js"
import { WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real echo server on 127.0.0.1, port 0; closed after the test. It records the close codes it saw. */
const echoServer = async () => {
  const server = await new Promise<WebSocketServer>((resolve) => {
    const s: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(s))
  })
  const closes: Array<number> = []
  server.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }))
    socket.on("close", (code) => closes.push(code))
  })
  cleanups.push(() =>
    new Promise((resolve) => {
      for (const client of server.clients) client.terminate()
      server.close(() => resolve())
    })
  )
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return { url: `ws://127.0.0.1:${port}`, closes, server }
}

/** The in-memory client as a Layer, with its scriptable server. */
const inMemory = () => {
  const scope = Effect.runSync(Scope.make())
  const context = Effect.runSync(Layer.buildWithScope(WebSocketTest.transportLayer, scope))
  cleanups.push(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return {
    client: WebSocketClientLayer.pipe(Layer.provide(Layer.succeedContext(context))),
    server: Context.get(context, WebSocketTestServer)
  }
}

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  return condition()
}

describe("Promise adapter", () => {
  it("runs every operation against a real ws server", async () => {
    const { closes, url } = await echoServer()
    const ws = createWebSocketInterface()
    cleanups.push(ws.dispose)
    const connection = await ws.execute("connect", { url, timeout: 5 })
    expect(connection).toBeInstanceOf(ConnectionHandle)
    expect(await ws.execute("send", { connection, message: { a: [1, 2] } })).toBe(true)
    expect(await ws.execute("receive", { connection, timeout: 5 })).toStrictEqual({ a: [1, 2] })
    expect(await ws.execute("send", { connection, message: "42" })).toBe(true)
    expect(await ws.execute("receive", { connection })).toBe("42")
    expect(await ws.execute("close", { connection, code: 4000, reason: "bye" })).toBe(true)
    expect(await ws.execute("request", { url, message: "ping", timeout: 5 })).toBe("ping")
    expect(await ws.execute("get_stats")).toStrictEqual({
      connections_opened: 2,
      connections_closed: 2,
      messages_sent: 3,
      messages_received: 3,
      errors: 0,
      active_connections: 0
    })
    expect(await ws.execute("reset")).toBe(true)
    expect(closes).toContain(4000)
  })

  it("runs every operation against the in-memory kit", async () => {
    const { client, server } = inMemory()
    const ws = createWebSocketInterface({ client })
    cleanups.push(ws.dispose)
    const connection = await ws.execute("connect", { url: "ws://example.test/" })
    const peer = await Effect.runPromise(server.accepted)
    await ws.execute("send", { connection, message: "hi" })
    expect(peer.sent).toStrictEqual(["hi"])
    await Effect.runPromise(peer.push({ ok: true }))
    expect(await ws.execute("receive", { connection })).toStrictEqual({ ok: true })
    await ws.execute("close", { connection })
    expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
    expect(await ws.execute("get_stats")).toMatchObject({ connections_opened: 1, active_connections: 0 })
    expect(await ws.execute("reset")).toBe(true)
  })

  it("rejects with the typed error instance itself, never a FiberFailure, never a synchronous throw", async () => {
    const { client } = inMemory()
    const ws = createWebSocketInterface({ client })
    cleanups.push(ws.dispose)
    const unknown = ws.execute("explode", {})
    expect(unknown).toBeInstanceOf(Promise)
    const error = await unknown.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnknownOperation)
    expect(error).toMatchObject({ _tag: "UnknownOperation" })
    expect((error as Error).message).toContain("valid operations: close, connect")
    expect(error).toBeInstanceOf(Error)
    await expect(ws.execute("send", { message: "x" })).rejects.toBeInstanceOf(InvalidParameter)
    await expect(ws.execute("connect", { url: 42 })).rejects.toBeInstanceOf(ParameterTypeError)
    await expect(ws.execute("connect", null)).rejects.toBeInstanceOf(ParameterTypeError)
    await expect(ws.execute(Symbol("x") as never)).rejects.toBeInstanceOf(UnknownOperation)
  })

  it("a refused connection rejects with ConnectionRefused", async () => {
    const { url, server } = await echoServer()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const ws = createWebSocketInterface()
    cleanups.push(ws.dispose)
    await expect(ws.execute("connect", { url })).rejects.toBeInstanceOf(ConnectionRefused)
  })

  it("dispose closes every open connection (the server sees the close) and later calls are InterfaceUnavailable", async () => {
    const { closes, url } = await echoServer()
    const ws = createWebSocketInterface()
    const connection = await ws.execute("connect", { url })
    await ws.execute("connect", { url })
    await ws.dispose()
    expect(await waitFor(() => closes.length === 2)).toBe(true)
    expect(closes).toStrictEqual([1000, 1000])
    await expect(ws.execute("send", { connection, message: "x" })).rejects.toBeInstanceOf(InterfaceUnavailable)
    await ws.dispose()
  })

  it("a transport that fails to build makes every call reject with InterfaceUnavailable", async () => {
    const broken = WebSocketClientLayer.pipe(
      Layer.provide(Layer.fail(new TransportUnavailable({ transport: "ws", reason: "Cannot find package 'ws'" })))
    )
    const ws = createWebSocketInterface({ client: broken })
    cleanups.push(ws.dispose)
    const error = await ws.execute("connect", { url: "ws://127.0.0.1:1/" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InterfaceUnavailable)
    expect((error as Error).message).toBe(
      "Interface 'websocket' is unavailable: WebSocket transport 'ws' is unavailable: Cannot find package 'ws'"
    )
  })

  it("using a handle after close rejects with ConnectionClosed", async () => {
    const { url } = await echoServer()
    const ws = createWebSocketInterface()
    cleanups.push(ws.dispose)
    const connection = await ws.execute("connect", { url })
    await ws.execute("close", { connection })
    await expect(ws.execute("send", { connection, message: "x" })).rejects.toStrictEqual(
      new ConnectionClosed({ code: 1000, reason: "" })
    )
  })

  it("the default interface is created on first use and shut down with shutdownWebSocketInterface", async () => {
    const { closes, url } = await echoServer()
    const connection = await executeWebSocketOperation("connect", { url })
    expect(await executeWebSocketOperation("send", { connection, message: "x" })).toBe(true)
    expect(await executeWebSocketOperation("receive", { connection })).toBe("x")
    await shutdownWebSocketInterface()
    expect(await waitFor(() => closes.length === 1)).toBe(true)
    expect(closes).toStrictEqual([1000])
    // a new default interface: the old handle is not one of its handles
    await expect(executeWebSocketOperation("send", { connection, message: "x" })).rejects.toBeInstanceOf(
      ParameterTypeError
    )
    await shutdownWebSocketInterface()
  })

  it("an idle runtime keeps nothing alive after dispose", async () => {
    const { url } = await echoServer()
    const count = () => {
      const counts = new Map<string, number>()
      for (const resource of process.getActiveResourcesInfo()) counts.set(resource, (counts.get(resource) ?? 0) + 1)
      return counts
    }
    const baseline = count()
    const ws = createWebSocketInterface()
    const connection = await ws.execute("connect", { url })
    await ws.execute("send", { connection, message: "x" })
    await ws.execute("receive", { connection })
    // the open connection is visible as a socket handle while it lives
    expect((count().get("TCPSocketWrap") ?? 0)).toBeGreaterThan(baseline.get("TCPSocketWrap") ?? 0)
    await ws.dispose()
    const settled = await waitFor(() => [...count()].every(([kind, n]) => n <= (baseline.get(kind) ?? 0)))
    expect(settled ? [] : [...count()].filter(([kind, n]) => n > (baseline.get(kind) ?? 0))).toStrictEqual([])
  })
})
