// The JSON-RPC client on Node's ws transport against a real JSON-RPC 2.0 server on 127.0.0.1 (port 0), which the
// test starts and closes. The server's own records (every call it ran, per-key counters) are the truth.
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Exit, Fiber, Layer, Schedule, Stream } from "effect"
import { ConnectionLost, JsonRpc, JsonRpcError, type JsonRpcOptions, JsonRpcLive } from "../../src/index.js"
import { JsonRpcServer } from "./server.js"

const start = (options: Partial<JsonRpcOptions> = {}) =>
  Effect.gen(function*() {
    const server = yield* JsonRpcServer.make()
    const context = yield* Layer.build(
      JsonRpcLive({ url: server.url, reconnect: Schedule.spaced("50 millis"), heartbeat: false, ...options })
    )
    return { server, rpc: Context.get(context, JsonRpc) }
  })

/** Polls `condition` on the live clock, up to 5 s. */
const eventually = (condition: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let waited = 0; waited < 5000; waited += 10) {
      if (condition()) return
      yield* Effect.sleep("10 millis")
    }
    throw new Error(`timed out waiting for ${what}`)
  })

const connectedAgain = (rpc: JsonRpc["Type"]) =>
  Stream.runHead(Stream.filter(rpc.connectionStates, (state) => state === "connected"))

describe("JSON-RPC client against a real server on 127.0.0.1", () => {
  it.live("requests, error responses, a batch in the server's own order, and a notification", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start()
      expect(yield* rpc.request("add", [2, 3])).toBe(5)
      expect(yield* rpc.request("echo", { a: 1 })).toStrictEqual({ a: 1 })
      const missing = yield* Effect.flip(rpc.request("no_such_method"))
      expect(missing).toBeInstanceOf(JsonRpcError)
      expect((missing as JsonRpcError).kind).toBe("MethodNotFound")
      const badParams = (yield* Effect.flip(rpc.request("add", ["x"]))) as JsonRpcError
      expect([badParams.code, badParams.kind]).toStrictEqual([-32602, "InvalidParams"])
      // the server answers batches in reverse order; the client gives them back in call order
      const batch = yield* rpc.batch([{ method: "add", params: [1, 1] }, { method: "nope" }, { method: "echo", params: ["x"] }])
      expect(batch[0]).toStrictEqual(Either.right(2))
      expect(Either.isLeft(batch[1]!) && batch[1].left.kind).toBe("MethodNotFound")
      expect(batch[2]).toStrictEqual(Either.right(["x"]))
      yield* rpc.notify("count", ["notified"])
      yield* eventually(() => server.counter("notified") === 1, "the notification to run")
      expect(server.executions("count").map((call) => call.id)).toStrictEqual([undefined])
    }).pipe(Effect.scoped))

  it.live("after a drop it reconnects and subscribes again exactly once; the Stream goes on", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start()
      const ticks = yield* Effect.fork(
        rpc.subscribe({ method: "eth_subscribe", params: ["ticks"], unsubscribe: "eth_unsubscribe" }).pipe(
          Stream.take(2),
          Stream.runCollect
        )
      )
      yield* eventually(() => server.subscriptions().some((s) => s.live), "the subscription")
      expect(yield* server.publish("before")).toBe(1)
      const again = yield* Effect.fork(Stream.runHead(Stream.drop(Stream.changes(rpc.connectionStates), 1).pipe(
        Stream.filter((state) => state === "connected")
      )))
      yield* server.dropAll
      yield* Fiber.join(again)
      yield* eventually(() => server.subscriptions().filter((s) => s.live).length === 1, "the re-subscription")
      expect(server.subscriptions().map((s) => s.connection)).toStrictEqual([2])
      expect(server.executions("eth_subscribe").length).toBe(2)
      expect(yield* server.publish("after")).toBe(1)
      expect([...(yield* Fiber.join(ticks))]).toStrictEqual(["before", "after"])
      yield* eventually(() => server.subscriptionCount() === 0, "the unsubscribe as the Stream ended")
    }).pipe(Effect.scoped))

  it.live("a request in flight at a drop fails with ConnectionLost, while the server ran it exactly once", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start()
      yield* server.setReplyDelay(10_000)
      const call = yield* Effect.fork(rpc.request("count", ["in-flight"]))
      yield* eventually(() => server.counter("in-flight") === 1, "the server to run it")
      yield* server.setReplyDelay(0)
      yield* server.dropAll
      expect(yield* Fiber.await(call)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "count" })))
      yield* connectedAgain(rpc)
      expect(yield* rpc.request("add", [1, 2])).toBe(3)
      expect(server.counter("in-flight")).toBe(1)
    }).pipe(Effect.scoped))

  it.live("requests made while disconnected run once each after the reconnect", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start({ reconnect: Schedule.spaced("300 millis") })
      yield* server.dropAll
      yield* Stream.runHead(Stream.filter(rpc.connectionStates, (state) => state === "reconnecting"))
      const keys = Array.from({ length: 20 }, (_, i) => `waiting-${i}`)
      const results = yield* Effect.forEach(keys, (key) => rpc.request("count", [key]), { concurrency: "unbounded" })
      expect(results).toStrictEqual(keys.map(() => 1))
      expect(keys.map((key) => server.counter(key))).toStrictEqual(keys.map(() => 1))
      expect(server.executions("count").every((call) => call.connection === 2)).toBe(true)
    }).pipe(Effect.scoped))

  it.live("1,000 concurrent requests each get their own result", () =>
    Effect.gen(function*() {
      const { rpc } = yield* start()
      const results = yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) => rpc.request("echo", [i]),
        { concurrency: "unbounded" }
      )
      expect(results).toStrictEqual(Array.from({ length: 1000 }, (_, i) => [i]))
    }).pipe(Effect.scoped))

  it.live("suspend closes cleanly and holds calls; resume reconnects and sends them once", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start()
      yield* rpc.suspend
      yield* eventually(() => server.closes.length === 1, "the close")
      expect(server.closes[0]?.code).toBe(1000)
      const held = yield* Effect.fork(rpc.request("count", ["held"]))
      yield* Effect.sleep("200 millis")
      expect([server.connectionsAccepted(), server.counter("held")]).toStrictEqual([1, 0])
      yield* rpc.resume
      expect(yield* Fiber.join(held)).toBe(1)
      expect(server.connectionsAccepted()).toBe(2)
    }).pipe(Effect.scoped))

  it.live("WebSocket pings find a silent peer and the client reconnects", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start({ heartbeat: { interval: "100 millis", timeout: "100 millis" } })
      yield* eventually(() => server.pings() >= 2, "pings answered")
      expect(server.connectionsAccepted()).toBe(1)
      yield* server.stallOpenConnections
      yield* eventually(() => server.connectionsAccepted() === 2, "a new connection")
      yield* connectedAgain(rpc)
      expect(yield* rpc.request("add", [20, 22])).toBe(42)
    }).pipe(Effect.scoped))

  it.live("a keep-alive call finds a silent peer the same way", () =>
    Effect.gen(function*() {
      const { rpc, server } = yield* start({ heartbeat: { interval: "100 millis", timeout: "100 millis", method: "echo" } })
      yield* eventually(() => server.executions("echo").length >= 2, "keep-alive calls")
      yield* server.stallOpenConnections
      yield* eventually(() => server.connectionsAccepted() === 2, "a new connection")
      yield* connectedAgain(rpc)
      expect(yield* rpc.request("add", [1, 1])).toBe(2)
    }).pipe(Effect.scoped))
})
