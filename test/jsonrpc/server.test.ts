// The JSON-RPC test server itself, through a raw `ws` client: the wire shapes the client tests rely on.
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Queue, Scope } from "effect"
import { WebSocket } from "ws"
import { JsonRpcServer } from "./server.js"

/** A raw client: every text frame it receives, parsed, in a queue; terminated with the scope. */
const rawClient = (url: string) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly socket: WebSocket
      readonly received: Queue.Queue<unknown>
      readonly closed: Deferred.Deferred<{ readonly code: number; readonly reason: string }>
      readonly pongs: () => number
    }>((resume) => {
      const socket = new WebSocket(url)
      const received = Effect.runSync(Queue.unbounded<unknown>())
      const closed = Effect.runSync(Deferred.make<{ readonly code: number; readonly reason: string }>())
      let pongs = 0
      socket.on("message", (data) => Queue.unsafeOffer(received, JSON.parse((data as Buffer).toString())))
      socket.on("pong", () => pongs++)
      socket.on("close", (code, reason) => Deferred.unsafeDone(closed, Exit.succeed({ code, reason: reason.toString() })))
      socket.on("error", (error) => resume(Effect.die(error)))
      socket.on("open", () => resume(Effect.succeed({ socket, received, closed, pongs: () => pongs })))
    }),
    ({ socket }) => Effect.sync(() => socket.terminate())
  )

type Client = Effect.Effect.Success<ReturnType<typeof rawClient>>

const send = (client: Client, frame: unknown) =>
  Effect.sync(() => client.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)))
const next = (client: Client) =>
  Queue.take(client.received).pipe(Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => new Error("no frame within 2 s") }), Effect.orDie)
/** Sends `frame` and returns the next frame the server sends. */
const exchange = (client: Client, frame: unknown) => Effect.zipRight(send(client, frame), next(client))
const eventually = (condition: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000 && !condition(); i++) yield* Effect.sleep("1 millis")
    expect(condition()).toBe(true)
  })
const request = (id: number, method: string, params?: unknown) => ({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })
const error = (id: unknown, code: number, message: string, data?: unknown) => ({
  jsonrpc: "2.0",
  error: { code, message, ...(data === undefined ? {} : { data }) },
  id
})

describe("JsonRpcServer", () => {
  it.scopedLive("answers each method with its result or its error object", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      expect(server.url).toBe(`ws://127.0.0.1:${server.port}`)
      const client = yield* rawClient(server.url)
      expect(yield* exchange(client, request(1, "echo", { a: [1, "b"] }))).toStrictEqual({ jsonrpc: "2.0", result: { a: [1, "b"] }, id: 1 })
      expect(yield* exchange(client, request(2, "add", [2, 3]))).toStrictEqual({ jsonrpc: "2.0", result: 5, id: 2 })
      expect(yield* exchange(client, request(3, "add", [2]))).toStrictEqual(error(3, -32602, "Invalid params"))
      expect(yield* exchange(client, request(4, "fail", { why: "asked" }))).toStrictEqual(error(4, -32000, "Server error", { why: "asked" }))
      expect(yield* exchange(client, request(5, "fail"))).toStrictEqual(error(5, -32000, "Server error"))
      expect(yield* exchange(client, request(6, "nope", []))).toStrictEqual(error(6, -32601, "Method not found"))
      expect(yield* exchange(client, { jsonrpc: "2.0", id: "s-7", method: "count", params: ["k"] })).toStrictEqual({ jsonrpc: "2.0", result: 1, id: "s-7" })
      expect(yield* exchange(client, request(8, "count", ["k"]))).toStrictEqual({ jsonrpc: "2.0", result: 2, id: 8 })
      expect(server.counter("k")).toBe(2)
      expect(server.counter("never")).toBe(0)
      expect(server.executions("count")).toStrictEqual([
        { connection: 1, method: "count", params: ["k"], id: "s-7" },
        { connection: 1, method: "count", params: ["k"], id: 8 }
      ])
      expect(server.calls.map((call) => call.method)).toStrictEqual(["echo", "add", "add", "fail", "fail", "nope", "count", "count"])
    }))

  it.scopedLive("answers unparseable JSON with -32700 and malformed requests with -32600, id null unless a valid id was given", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const client = yield* rawClient(server.url)
      expect(yield* exchange(client, "{\"jsonrpc\": \"2.0\", \"method\"")).toStrictEqual(error(null, -32700, "Parse error"))
      expect(yield* exchange(client, { jsonrpc: "1.0", method: "echo", id: 7 })).toStrictEqual(error(7, -32600, "Invalid Request"))
      expect(yield* exchange(client, { jsonrpc: "2.0", method: 1, params: "bar" })).toStrictEqual(error(null, -32600, "Invalid Request"))
      expect(yield* exchange(client, { jsonrpc: "2.0", method: "echo", id: { not: "an id" } })).toStrictEqual(error(null, -32600, "Invalid Request"))
      expect(yield* exchange(client, { jsonrpc: "2.0", method: "echo", params: "bar", id: "p" })).toStrictEqual(error("p", -32600, "Invalid Request"))
      expect(yield* exchange(client, 42)).toStrictEqual(error(null, -32600, "Invalid Request"))
      expect(yield* exchange(client, [])).toStrictEqual(error(null, -32600, "Invalid Request"))
      expect(yield* exchange(client, [1, 2])).toStrictEqual([error(null, -32600, "Invalid Request"), error(null, -32600, "Invalid Request")])
      expect(server.calls).toStrictEqual([]) // nothing malformed ran
    }))

  it.scopedLive("answers a batch with one array of its requests' responses, in reverse order, notifications left out", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const client = yield* rawClient(server.url)
      const response = yield* exchange(client, [
        request(1, "add", [1, 2]),
        { jsonrpc: "2.0", method: "count", params: ["batch"] },
        request(2, "echo", ["x"]),
        { jsonrpc: "2.0", method: 3 },
        request(3, "nope"),
        request(4, "slow", [30])
      ])
      expect(response).toStrictEqual([
        { jsonrpc: "2.0", result: 30, id: 4 },
        error(3, -32601, "Method not found"),
        error(null, -32600, "Invalid Request"),
        { jsonrpc: "2.0", result: ["x"], id: 2 },
        { jsonrpc: "2.0", result: 3, id: 1 }
      ])
      expect(server.counter("batch")).toBe(1) // the notification ran
    }))

  it.scopedLive("never answers a notification, nor a batch of notifications, yet runs them", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const client = yield* rawClient(server.url)
      yield* send(client, { jsonrpc: "2.0", method: "count", params: ["n"] })
      yield* send(client, { jsonrpc: "2.0", method: "nope" })
      yield* send(client, [{ jsonrpc: "2.0", method: "count", params: ["n"] }, { jsonrpc: "2.0", method: "fail" }])
      // Frames are handled in order, so had any been answered, its answer would come before this one.
      expect(yield* exchange(client, request(9, "echo", ["after"]))).toStrictEqual({ jsonrpc: "2.0", result: ["after"], id: 9 })
      expect(server.counter("n")).toBe(2)
      expect(server.calls.map((call) => [call.method, call.id])).toStrictEqual([
        ["count", undefined], ["nope", undefined], ["count", undefined], ["fail", undefined], ["echo", 9]
      ])
    }))

  it.scopedLive("answers slow after its delay, so a later request's answer comes first; a reply delay holds every answer", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const client = yield* rawClient(server.url)
      yield* send(client, request(1, "slow", [80]))
      yield* send(client, request(2, "echo", ["fast"]))
      expect(yield* next(client)).toStrictEqual({ jsonrpc: "2.0", result: ["fast"], id: 2 })
      expect(yield* next(client)).toStrictEqual({ jsonrpc: "2.0", result: 80, id: 1 })

      yield* server.setReplyDelay(100)
      const started = Date.now()
      expect(yield* exchange(client, request(3, "add", [1, 1]))).toStrictEqual({ jsonrpc: "2.0", result: 2, id: 3 })
      expect(Date.now() - started).toBeGreaterThanOrEqual(99)
    }))

  it.scopedLive("pushes eth_subscription notifications to live subscriptions only, from the moment the id is sent", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const client = yield* rawClient(server.url)
      expect(yield* exchange(client, request(1, "eth_subscribe", ["ticks", "first"]))).toStrictEqual({ jsonrpc: "2.0", result: "0x1", id: 1 })
      expect(yield* server.publish(7)).toBe(1)
      expect(yield* next(client)).toStrictEqual({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x1", result: 7 } })
      expect(yield* exchange(client, request(2, "eth_subscribe", ["blocks"]))).toStrictEqual(error(2, -32602, "Invalid params"))

      // Held response: the subscription exists but is not live, so nothing can precede its id.
      yield* server.setReplyDelay(100)
      yield* send(client, request(3, "eth_subscribe", ["ticks"]))
      yield* eventually(() => server.subscriptionCount() === 2)
      expect(server.subscriptions()).toStrictEqual([
        { connection: 1, id: "0x1", label: "first", live: true },
        { connection: 1, id: "0x2", label: undefined, live: false }
      ])
      expect(yield* server.publish(8)).toBe(1)
      expect(yield* next(client)).toStrictEqual({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x1", result: 8 } })
      expect(yield* next(client)).toStrictEqual({ jsonrpc: "2.0", result: "0x2", id: 3 })
      expect(yield* server.publish(9)).toBe(2)
      const pushed = [yield* next(client), yield* next(client)]
      expect(pushed.map((n) => (n as { params: { subscription: string } }).params.subscription).sort()).toStrictEqual(["0x1", "0x2"])

      yield* server.setReplyDelay(0)
      expect(yield* exchange(client, request(4, "eth_unsubscribe", ["0x1"]))).toStrictEqual({ jsonrpc: "2.0", result: true, id: 4 })
      expect(yield* exchange(client, request(5, "eth_unsubscribe", ["0x1"]))).toStrictEqual({ jsonrpc: "2.0", result: false, id: 5 })
      expect(server.subscriptions().map((s) => s.id)).toStrictEqual(["0x2"])
    }))

  it.scopedLive("while silent it runs requests but sends no answer and no pong; answers resume when it speaks again", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const client = yield* rawClient(server.url)
      yield* server.setSilent(true)
      yield* Effect.sync(() => client.socket.ping())
      yield* send(client, request(1, "count", ["silent"]))
      yield* eventually(() => server.pings() === 1 && server.counter("silent") === 1)
      yield* server.setSilent(false)
      yield* Effect.sync(() => client.socket.ping())
      // The pong to the second ping is written before this answer; the first ping's and request 1's never are.
      expect(yield* exchange(client, request(2, "echo", ["spoken"]))).toStrictEqual({ jsonrpc: "2.0", result: ["spoken"], id: 2 })
      expect(client.pongs()).toBe(1)
      expect(server.pings()).toBe(2)
    }))

  it.scopedLive("stalls the connections open now, while a new connection is answered", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const stalled = yield* rawClient(server.url)
      yield* server.stallOpenConnections
      yield* send(stalled, request(1, "count", ["stalled"]))
      const fresh = yield* rawClient(server.url)
      expect(yield* exchange(fresh, request(1, "count", ["stalled"]))).toStrictEqual({ jsonrpc: "2.0", result: 2, id: 1 })
      expect(server.executions("count").map((call) => call.connection)).toStrictEqual([1, 2])
      expect(yield* Queue.size(stalled.received)).toBe(0)
    }))

  it.scopedLive("dropAll cuts every connection without a close frame, and its subscriptions end with it", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const first = yield* rawClient(server.url)
      expect(yield* exchange(first, request(1, "eth_subscribe", ["ticks"]))).toMatchObject({ result: "0x1" })
      yield* server.dropAll
      expect(yield* Deferred.await(first.closed)).toStrictEqual({ code: 1006, reason: "" })
      yield* eventually(() => server.connections() === 0)
      expect(server.subscriptionCount()).toBe(0)
      expect(server.closes).toStrictEqual([{ connection: 1, code: 1006, reason: "" }])

      const second = yield* rawClient(server.url)
      expect(server.connectionsAccepted()).toBe(2)
      expect(yield* server.publish("lost")).toBe(0) // the old subscription does not follow the client
      expect(yield* exchange(second, request(1, "eth_unsubscribe", ["0x1"]))).toStrictEqual({ jsonrpc: "2.0", result: false, id: 1 })
    }))

  it.scopedLive("closeAll closes every connection with the code and reason given", () =>
    Effect.gen(function*() {
      const server = yield* JsonRpcServer.make()
      const clients = [yield* rawClient(server.url), yield* rawClient(server.url)]
      yield* eventually(() => server.connections() === 2)
      yield* server.closeAll(4001, "maintenance")
      for (const client of clients) expect(yield* Deferred.await(client.closed)).toStrictEqual({ code: 4001, reason: "maintenance" })
      yield* eventually(() => server.connections() === 0)
    }))

  it.scopedLive("closing its scope terminates the clients still connected and frees the port", () =>
    Effect.gen(function*() {
      const serverScope = yield* Scope.make()
      const server = yield* Scope.extend(JsonRpcServer.make({ replyDelay: 10_000 }), serverScope)
      const client = yield* rawClient(server.url) // in the test's scope, so it outlives the server
      yield* send(client, request(1, "echo")) // its answer, held for 10 s, must not hold the teardown up
      yield* eventually(() => server.calls.length === 1)
      yield* Scope.close(serverScope, Exit.void)
      expect(yield* Deferred.await(client.closed)).toStrictEqual({ code: 1006, reason: "" })
      const refused = yield* Effect.async<string>((resume) => {
        const probe = new WebSocket(server.url)
        probe.on("error", (error) => resume(Effect.succeed((error as NodeJS.ErrnoException).code ?? "no code")))
        probe.on("open", () => {
          probe.terminate()
          resume(Effect.succeed("open"))
        })
      })
      expect(refused).toBe("ECONNREFUSED")
    }))
})
