// The JSON-RPC 2.0 client on the in-memory transport, with time on the TestClock: every frame the client sends is
// read by the test, every answer scripted.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Exit, Fiber, Schedule, Stream, TestClock } from "effect"
import {
  CommandTimeout,
  ConnectionLost,
  InvalidMessage,
  InvalidOption,
  JsonRpcError,
  type JsonRpcOptions,
  WebSocketClient
} from "../../src/index.js"
import { make } from "../../src/jsonrpc/JsonRpc.js"
import { type TestPeer, WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../core/kit.js"

const url = "ws://rpc.test/"

/** A client on the in-memory server, reconnecting every second, with the server's side of its first connection. */
const connect = (options: Partial<JsonRpcOptions> = {}) =>
  Effect.gen(function*() {
    const server = yield* WebSocketTestServer
    const rpc = yield* make({ url, reconnect: Schedule.spaced("1 second"), heartbeat: false, ...options })
    const peer = yield* server.accepted
    return { rpc, server, peer }
  })

/** Answers the next request the client sent on `peer` with `result`, returning the request. */
const answer = (peer: TestPeer, result: (request: { id: number; method: string; params?: unknown }) => unknown) =>
  Effect.gen(function*() {
    const request = (yield* peer.receiveJson) as { id: number; method: string; params?: unknown }
    yield* peer.push({ jsonrpc: "2.0", id: request.id, result: result(request) })
    return request
  })

describe("JSON-RPC 2.0 client (in-memory transport)", () => {
  it.effect("a request is framed as the spec says and succeeds with the response's result", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const call = yield* Effect.fork(rpc.request("add", [1, 2]))
      expect(yield* answer(peer, () => 3)).toStrictEqual({ jsonrpc: "2.0", id: 1, method: "add", params: [1, 2] })
      expect(yield* Fiber.join(call)).toBe(3)
      // named params, and a method with none: no params member at all
      const named = yield* Effect.fork(rpc.request("get", { key: "a" }))
      expect(yield* answer(peer, () => "A")).toStrictEqual({ jsonrpc: "2.0", id: 2, method: "get", params: { key: "a" } })
      expect(yield* Fiber.join(named)).toBe("A")
      const bare = yield* Effect.fork(rpc.request("net_version"))
      expect(yield* answer(peer, () => null)).toStrictEqual({ jsonrpc: "2.0", id: 3, method: "net_version" })
      expect(yield* Fiber.join(bare)).toBeNull()
    })))

  it.effect("responses are matched by id in any order", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const calls = yield* Effect.fork(Effect.all([1, 2, 3].map((n) => rpc.request("echo", [n])), { concurrency: "unbounded" }))
      const requests = [yield* peer.receiveJson, yield* peer.receiveJson, yield* peer.receiveJson] as Array<{ id: number; params: Array<number> }>
      for (const request of [...requests].reverse()) {
        yield* peer.push({ jsonrpc: "2.0", id: request.id, result: `echo ${request.params[0]}` })
      }
      expect(yield* Fiber.join(calls)).toStrictEqual(["echo 1", "echo 2", "echo 3"])
      expect(requests.map((r) => r.id)).toStrictEqual([1, 2, 3])
    })))

  it.effect("an error response is JsonRpcError with code, message and data; the spec's codes are named", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const codes = [-32700, -32600, -32601, -32602, -32603, -32050, 42]
      const calls = yield* Effect.fork(Effect.all(codes.map(() => Effect.flip(rpc.request("m"))), { concurrency: "unbounded" }))
      for (const code of codes) {
        const request = (yield* peer.receiveJson) as { id: number }
        yield* peer.push({ jsonrpc: "2.0", id: request.id, error: { code, message: `code ${code}`, data: { code } } })
      }
      const errors = (yield* Fiber.join(calls)) as Array<JsonRpcError>
      expect(errors[0]).toStrictEqual(new JsonRpcError({ code: -32700, message: "code -32700", data: { code: -32700 } }))
      expect(errors.map((error) => error.kind)).toStrictEqual([
        "ParseError",
        "InvalidRequest",
        "MethodNotFound",
        "InvalidParams",
        "InternalError",
        "ServerError",
        "ApplicationError"
      ])
    })))

  it.effect("params that are neither an array nor a plain object, or a method that is no string, are InvalidMessage and nothing is sent", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const request = rpc.request as (method: unknown, params?: unknown) => Effect.Effect<unknown, unknown>
      expect(yield* Effect.flip(request("m", "text"))).toStrictEqual(
        new InvalidMessage({ reason: "JSON-RPC params must be an array or a plain object, got string" })
      )
      expect(yield* Effect.flip(request("m", null))).toStrictEqual(
        new InvalidMessage({ reason: "JSON-RPC params must be an array or a plain object, got null" })
      )
      expect(yield* Effect.flip(request("m", new Date(0)))).toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip(request(7))).toStrictEqual(new InvalidMessage({ reason: "a JSON-RPC method must be a non-empty string" }))
      expect(yield* Effect.flip(request("m", [10n]))).toBeInstanceOf(InvalidMessage)
      expect(yield* Effect.flip((rpc.request as (m: string, p: unknown, o: unknown) => Effect.Effect<unknown, unknown>)("m", [], { timeout: "soon" }))).toBeInstanceOf(InvalidOption)
      expect(peer.sent).toStrictEqual([])
      // the next good request still gets id 1: a refused call took no id
      const call = yield* Effect.fork(rpc.request("ok"))
      expect(yield* answer(peer, () => true)).toMatchObject({ id: 1, method: "ok" })
      expect(yield* Fiber.join(call)).toBe(true)
    })))

  it.effect("notify sends a notification with no id and waits for no answer", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      yield* rpc.notify("log", ["hello"])
      expect(yield* peer.receiveJson).toStrictEqual({ jsonrpc: "2.0", method: "log", params: ["hello"] })
    })))

  it.effect("a batch is one frame; its answers, in any order and with errors among them, come back in call order", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const batch = yield* Effect.fork(rpc.batch([{ method: "a" }, { method: "b", params: [1] }, { method: "c" }]))
      const frame = (yield* peer.receiveJson) as Array<{ id: number; method: string }>
      expect(frame).toStrictEqual([
        { jsonrpc: "2.0", id: 1, method: "a" },
        { jsonrpc: "2.0", id: 2, method: "b", params: [1] },
        { jsonrpc: "2.0", id: 3, method: "c" }
      ])
      yield* peer.push([
        { jsonrpc: "2.0", id: 3, result: "C" },
        { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "Method not found" } },
        { jsonrpc: "2.0", id: 1, result: "A" }
      ])
      expect(yield* Fiber.join(batch)).toStrictEqual([
        Either.right("A"),
        Either.left(new JsonRpcError({ code: -32601, message: "Method not found" })),
        Either.right("C")
      ])
      // one bad call refuses the whole batch before anything is sent
      expect(yield* Effect.flip(rpc.batch([{ method: "a" }, { method: "b", params: "x" as never }]))).toBeInstanceOf(InvalidMessage)
      expect(peer.sent).toHaveLength(1)
    })))

  it.effect("a subscription yields params.result of its notifications, whatever their method; ending it unsubscribes", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const heads = yield* Effect.fork(
        rpc.subscribe({ method: "eth_subscribe", params: ["newHeads"], unsubscribe: "eth_unsubscribe" }).pipe(
          Stream.take(2),
          Stream.runCollect
        )
      )
      expect(yield* answer(peer, () => "0xabc")).toStrictEqual({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] })
      const note = (subscription: string, result: unknown, method = "eth_subscription") =>
        peer.push({ jsonrpc: "2.0", method, params: { subscription, result } })
      yield* note("0xother", "not mine")
      yield* note("0xabc", { number: 1 })
      yield* note("0xabc", { number: 2 }, "renamed_notification")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(heads))).toStrictEqual([{ number: 1 }, { number: 2 }])
      expect(yield* peer.receiveJson).toStrictEqual({ jsonrpc: "2.0", id: 2, method: "eth_unsubscribe", params: ["0xabc"] })
    })))

  it.effect("a subscribe answer that carries no subscription id fails the Stream with InvalidMessage", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const stream = yield* Effect.fork(Stream.runDrain(rpc.subscribe({ method: "eth_subscribe", unsubscribe: "eth_unsubscribe" })))
      yield* answer(peer, () => ({ not: "an id" }))
      expect(yield* Fiber.await(stream)).toStrictEqual(
        Exit.fail(new InvalidMessage({ reason: "the subscribe call did not answer with a subscription id" }))
      )
    })))

  it.effect("after a drop it reconnects on the schedule, subscribes again exactly once, and the Stream goes on", () =>
    run(Effect.gen(function*() {
      const { peer, rpc, server } = yield* connect()
      const ticks = yield* Effect.fork(
        rpc.subscribe({ method: "eth_subscribe", params: ["ticks"], unsubscribe: "eth_unsubscribe" }).pipe(
          Stream.take(2),
          Stream.runCollect
        )
      )
      yield* answer(peer, () => "0x1")
      yield* peer.push({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x1", result: "before" } })
      yield* peer.drop
      yield* Stream.runHead(Stream.filter(rpc.connectionStates, (state) => state === "reconnecting"))
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      expect(yield* answer(second, () => "0x2")).toStrictEqual({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["ticks"] })
      yield* second.push({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x1", result: "stale id" } })
      yield* second.push({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: "0x2", result: "after" } })
      expect(Chunk.toReadonlyArray(yield* Fiber.join(ticks))).toStrictEqual(["before", "after"])
      // exactly once: the second connection got the subscribe, then the unsubscribe as the Stream ended
      expect(yield* second.receiveJson).toMatchObject({ method: "eth_unsubscribe", params: ["0x2"] })
      expect(second.sent).toHaveLength(2)
    })))

  it.effect("a re-subscribe answered after its timeout fails the Stream with CommandTimeout, and the late answer is undone", () =>
    run(Effect.gen(function*() {
      const { peer, rpc, server } = yield* connect({ requestTimeout: "5 seconds" })
      const stream = yield* Effect.fork(Stream.runDrain(rpc.subscribe({ method: "eth_subscribe", unsubscribe: "eth_unsubscribe" })))
      yield* answer(peer, () => "0x1")
      yield* peer.drop
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      const resubscribe = (yield* second.receiveJson) as { id: number }
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.await(stream)).toStrictEqual(
        Exit.fail(new CommandTimeout({ command: "eth_subscribe", after: Duration.seconds(5) }))
      )
      // the server subscribed after all: the client unsubscribes what nobody reads
      yield* second.push({ jsonrpc: "2.0", id: resubscribe.id, result: "0x2" })
      expect(yield* second.receiveJson).toMatchObject({ method: "eth_unsubscribe", params: ["0x2"] })
    })))

  it.effect("a Stream that ends while its subscribe answer travels unsubscribes once the answer comes", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const stream = yield* Effect.fork(Stream.runDrain(rpc.subscribe({ method: "eth_subscribe", unsubscribe: "eth_unsubscribe" })))
      const subscribe = (yield* peer.receiveJson) as { id: number }
      yield* Fiber.interrupt(stream)
      yield* peer.push({ jsonrpc: "2.0", id: subscribe.id, result: "0x9" })
      expect(yield* peer.receiveJson).toMatchObject({ method: "eth_unsubscribe", params: ["0x9"] })
    })))

  it.effect("a subscription with resubscribe: false fails with ConnectionLost at the drop instead", () =>
    run(Effect.gen(function*() {
      const { peer, rpc, server } = yield* connect()
      const once = yield* Effect.fork(
        Stream.runDrain(rpc.subscribe({ method: "eth_subscribe", unsubscribe: "eth_unsubscribe", resubscribe: false }))
      )
      yield* answer(peer, () => "0x1")
      yield* peer.drop
      expect(yield* Fiber.await(once)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "eth_subscribe" })))
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      const call = yield* Effect.fork(rpc.request("ping"))
      expect(yield* answer(second, () => "pong")).toMatchObject({ id: 1, method: "ping" })
      expect(yield* Fiber.join(call)).toBe("pong")
    })))

  it.effect("a request in flight at a drop fails with ConnectionLost and is never re-sent; one made while disconnected runs once after", () =>
    run(Effect.gen(function*() {
      const { peer, rpc, server } = yield* connect()
      const inFlight = yield* Effect.fork(rpc.request("transfer", [10]))
      expect(yield* peer.receiveJson).toMatchObject({ method: "transfer" })
      yield* peer.drop
      expect(yield* Fiber.await(inFlight)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "transfer" })))
      const waiting = yield* Effect.fork(rpc.request("balance"))
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      expect(yield* answer(second, () => 90)).toStrictEqual({ jsonrpc: "2.0", id: 1, method: "balance" })
      expect(yield* Fiber.join(waiting)).toBe(90)
      expect(second.sent.map((frame) => JSON.parse(frame as string).method)).toStrictEqual(["balance"])
    })))

  it.effect("a request waits for a connection no longer than its timeout", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect({ reconnect: Schedule.spaced("1 minute") })
      yield* peer.drop
      const call = yield* Effect.fork(rpc.request("late", undefined, { timeout: "5 seconds" }))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.await(call)).toStrictEqual(Exit.fail(new CommandTimeout({ command: "late", after: Duration.seconds(5) })))
    })))

  it.effect("suspend closes the connection cleanly and holds requests; resume reconnects and sends them", () =>
    run(Effect.gen(function*() {
      const { peer, rpc, server } = yield* connect()
      yield* rpc.suspend
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* rpc.connectionState).toBe("suspended")
      const held = yield* Effect.fork(rpc.request("after"))
      // suspended, it does not reconnect, however long (its request waits within its 30 s timeout)
      yield* TestClock.adjust("20 seconds")
      expect((yield* server.attempts).length).toBe(1)
      yield* rpc.resume
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      yield* answer(second, () => "ok")
      expect(yield* Fiber.join(held)).toBe("ok")
      expect(yield* rpc.connectionState).toBe("connected")
    })))

  it.effect("the keep-alive with WebSocket pings finds a silent peer and replaces the connection", () =>
    run(Effect.gen(function*() {
      const { peer, server } = yield* connect({ heartbeat: { interval: "10 seconds", timeout: "5 seconds" } })
      yield* TestClock.adjust("30 seconds")
      expect(peer.isClosed).toBe(false)
      peer.autoPong = false
      yield* TestClock.adjust("15 seconds")
      expect(peer.isClosed).toBe(true)
      yield* TestClock.adjust("1 second")
      expect((yield* server.accepted).id).toBe(2)
    })))

  it.effect("the keep-alive with a method calls it, and a peer that stops answering is replaced", () =>
    run(Effect.gen(function*() {
      const { peer, server } = yield* connect({ heartbeat: { interval: "10 seconds", timeout: "5 seconds", method: "net_version" } })
      yield* TestClock.adjust("10 seconds")
      // an error answer proves the link alive as well as a result
      const ping = (yield* peer.receiveJson) as { id: number; method: string }
      expect(ping.method).toBe("net_version")
      yield* peer.push({ jsonrpc: "2.0", id: ping.id, error: { code: -32601, message: "Method not found" } })
      yield* TestClock.adjust("10 seconds")
      expect((yield* peer.receiveJson) as object).toMatchObject({ method: "net_version" })
      expect(peer.isClosed).toBe(false)
      yield* TestClock.adjust("5 seconds")
      expect(peer.isClosed).toBe(true)
      yield* TestClock.adjust("1 second")
      expect((yield* server.accepted).id).toBe(2)
    })))

  it.effect("malformed frames, unknown ids and stray notifications are dropped; neighbours are undisturbed", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const call = yield* Effect.fork(rpc.request("real"))
      const request = (yield* peer.receiveJson) as { id: number }
      yield* peer.push("not json at all")
      yield* peer.push({ id: request.id, result: "no jsonrpc member" })
      yield* peer.push({ jsonrpc: "2.0", id: 999, result: "nobody asked" })
      yield* peer.push({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } })
      yield* peer.push({ jsonrpc: "2.0", method: "server_says", params: [1] })
      yield* peer.push({ jsonrpc: "2.0", id: 5, method: "server_asks" })
      yield* peer.push([])
      yield* peer.push({ jsonrpc: "2.0", id: request.id, error: "not an object" })
      expect(yield* Effect.flip(Fiber.join(call))).toStrictEqual(
        new JsonRpcError({ code: -32603, message: "the server sent a malformed error object", data: "not an object" })
      )
      const next = yield* Effect.fork(rpc.request("next"))
      yield* answer(peer, () => "fine")
      expect(yield* Fiber.join(next)).toBe("fine")
      expect(yield* rpc.connectionState).toBe("connected")
    })))

  it.effect("1,000 concurrent requests each get their own result", () =>
    run(Effect.gen(function*() {
      const { peer, rpc } = yield* connect()
      const calls = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 1000 }, (_, i) => i), (i) => rpc.request("echo", [i]), { concurrency: "unbounded" })
      )
      const requests: Array<{ id: number; params: [number] }> = []
      for (let i = 0; i < 1000; i++) requests.push((yield* peer.receiveJson) as { id: number; params: [number] })
      // answered in a scrambled order, as a batch of responses
      const scrambled = requests.map((_, i) => requests[(i * 7919) % 1000]!)
      yield* peer.push(scrambled.map((r) => ({ jsonrpc: "2.0", id: r.id, result: r.params[0] * 2 })))
      expect(yield* Fiber.join(calls)).toStrictEqual(Array.from({ length: 1000 }, (_, i) => i * 2))
      expect(new Set(requests.map((r) => r.id)).size).toBe(1000)
    })))

  it.effect("the layer refuses a URL that is not ws:// or wss://", () =>
    run(Effect.gen(function*() {
      yield* WebSocketClient
      const error = yield* Effect.flip(make({ url: "http://rpc.test/" }))
      expect(error._tag).toBe("InvalidUrl")
    })))
})
