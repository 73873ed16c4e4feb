import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import {
  ConnectionHandle,
  Gateway,
  GatewayLayer,
  InterfaceUnavailable,
  registerInterface,
  TransportUnavailable,
  UnknownInterface,
  UnknownOperation,
  WebSocketClientLayer,
  websocketClose,
  websocketConnect,
  websocketGateway,
  websocketGetStats,
  websocketReceive,
  websocketRegistration,
  websocketRequest,
  websocketReset,
  websocketSend,
  type WebSocketTransport
} from "../../src/index.js"
import { WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { recordingTracer } from "../core/kit.js"

const url = "ws://example.test/"

/** A gateway whose "websocket" interface runs on the in-memory client; the test server stays reachable. */
const inMemoryGateway = Layer.unwrapEffect(
  Effect.map(Effect.context<WebSocketTransport | WebSocketTestServer>(), (context) =>
    websocketGateway(WebSocketClientLayer.pipe(Layer.provide(Layer.succeedContext(context)))))
).pipe(Layer.provideMerge(WebSocketTest.transportLayer))

const run = <A, E>(effect: Effect.Effect<A, E, Gateway | WebSocketTestServer | Scope.Scope>) =>
  Effect.provide(Effect.scoped(effect), inMemoryGateway)

/** A transport whose Layer fails to build, as a missing `ws` package would. */
const brokenTransport = Layer.fail(new TransportUnavailable({ transport: "ws", reason: "Cannot find package 'ws'" }))

describe("Gateway", () => {
  it.effect("the wrappers route every operation to the websocket interface with the right parameter names", () =>
    run(Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      const connection = yield* websocketConnect({ url, headers: { "X-Id": "9" }, timeout: 5 })
      expect(connection).toBeInstanceOf(ConnectionHandle)
      const peer = yield* server.accepted
      expect(peer.headers).toStrictEqual({ "X-Id": "9" })
      expect(yield* websocketSend({ connection, message: { hello: 1 } })).toBe(true)
      expect(peer.sent).toStrictEqual(["{\"hello\":1}"])
      yield* peer.push("[1,2]")
      expect(yield* websocketReceive({ connection, timeout: 1 })).toStrictEqual([1, 2])
      expect(yield* websocketClose({ connection, code: 1000, reason: "ok" })).toBe(true)
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "ok" })

      yield* Effect.fork(Effect.flatMap(server.accepted, (p) => Effect.flatMap(p.receive, (m) => p.push(`re:${m}`))))
      expect(yield* websocketRequest({ url, message: "q" })).toBe("re:q")
      expect(yield* websocketGetStats()).toStrictEqual({
        connections_opened: 2,
        connections_closed: 2,
        messages_sent: 2,
        messages_received: 2,
        errors: 0,
        active_connections: 0
      })
      yield* websocketConnect({ url })
      const open = yield* server.accepted
      expect(yield* websocketReset()).toBe(true)
      expect(open.closeFrame).toStrictEqual({ code: 1001, reason: "going away" })
      expect(yield* websocketGetStats()).toMatchObject({ connections_opened: 0, active_connections: 0 })
    })))

  it.effect("an unknown interface name is UnknownInterface", () =>
    run(Effect.gen(function*() {
      const gateway = yield* Gateway
      expect(yield* Effect.exit(gateway.execute("mqtt", "connect", {}))).toStrictEqual(
        Exit.fail(new UnknownInterface({ interfaceName: "mqtt", registered: ["websocket"] }))
      )
    })))

  it.effect("dispatch errors of the interface pass through the gateway", () =>
    run(Effect.gen(function*() {
      const gateway = yield* Gateway
      const error = yield* Effect.flip(gateway.execute("websocket", "open", {}))
      expect(error).toBeInstanceOf(UnknownOperation)
    })))

  it.effect("an interface whose transport fails to build is InterfaceUnavailable; the gateway itself builds", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway
      const reason = "WebSocket transport 'ws' is unavailable: Cannot find package 'ws'"
      for (const operation of ["connect", "get_stats", "nonsense"]) {
        expect(yield* Effect.exit(gateway.execute("websocket", operation, { url }))).toStrictEqual(
          Exit.fail(new InterfaceUnavailable({ interfaceName: "websocket", reason }))
        )
      }
      expect(yield* gateway.interfaces).toStrictEqual([{ name: "websocket", available: false }])
    }).pipe(Effect.provide(websocketGateway(WebSocketClientLayer.pipe(Layer.provide(brokenTransport))))))

  it.effect("one broken interface does not take the others down", () => {
    class Echo extends Context.Tag("test/Echo")<Echo, {
      readonly execute: (operation: string, params?: unknown) => Effect.Effect<unknown>
    }>() {}
    const echo = registerInterface("echo", Echo, Layer.succeed(Echo, { execute: (operation) => Effect.succeed(operation) }))
    const broken = websocketRegistration(WebSocketClientLayer.pipe(Layer.provide(brokenTransport)))
    const dies = registerInterface("dies", Echo, Layer.effect(Echo, Effect.dieMessage("boom while building")))
    return Effect.gen(function*() {
      const gateway = yield* Gateway
      expect(yield* gateway.execute("echo", "hello")).toBe("hello")
      expect(yield* Effect.flip(gateway.execute("websocket", "connect", { url }))).toBeInstanceOf(InterfaceUnavailable)
      expect(yield* Effect.exit(gateway.execute("dies", "x"))).toStrictEqual(
        Exit.fail(new InterfaceUnavailable({ interfaceName: "dies", reason: "boom while building" }))
      )
      expect(yield* gateway.interfaces).toStrictEqual([
        { name: "dies", available: false },
        { name: "echo", available: true },
        { name: "websocket", available: false }
      ])
    }).pipe(Effect.provide(GatewayLayer([echo, broken, dies])))
  })

  it.effect("each call carries its own correlation id as a log annotation", () =>
    Effect.gen(function*() {
      const annotations: Array<string> = []
      const capture = Logger.make(({ annotations: a }) => {
        const id = [...a].find(([key]) => key === "correlationId")?.[1]
        if (typeof id === "string") annotations.push(id)
      })
      yield* Effect.gen(function*() {
        const gateway = yield* Gateway
        yield* Effect.exit(gateway.execute("websocket", "nope"))
        yield* Effect.exit(gateway.execute("websocket", "nope"))
      }).pipe(
        Effect.provide(inMemoryGateway),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      expect(annotations).toHaveLength(2)
      expect(annotations[0]).toMatch(/^gw-\d+$/)
      expect(annotations[0]).not.toBe(annotations[1])
    }))

  it.effect("an interface that logs gets the correlation id on each of its logs, at the default level", () => {
    class Chatty extends Context.Tag("test/Chatty")<Chatty, {
      readonly execute: (operation: string) => Effect.Effect<string>
    }>() {}
    const chatty = registerInterface(
      "chatty",
      Chatty,
      Layer.succeed(Chatty, { execute: (operation) => Effect.as(Effect.logInfo(`running ${operation}`), operation) })
    )
    const seen: Array<Record<string, unknown>> = []
    const capture = Logger.make(({ annotations, message }) => {
      seen.push({ message, ...Object.fromEntries(annotations) })
    })
    return Effect.gen(function*() {
      const gateway = yield* Gateway
      yield* gateway.execute("chatty", "one")
      yield* gateway.execute("chatty", "two")
      // the caller's own annotations stay as they were around the calls
      yield* Effect.logInfo("after")
      expect(seen.map((entry) => [entry.message, entry.interface, entry.operation])).toStrictEqual([
        [["running one"], "chatty", "one"],
        [["running two"], "chatty", "two"],
        [["after"], undefined, undefined]
      ])
      expect(seen[0]?.correlationId).toMatch(/^gw-\d+$/)
      expect(seen[1]?.correlationId).not.toBe(seen[0]?.correlationId)
      expect(seen[2]?.correlationId).toBeUndefined()
    }).pipe(Effect.provide(GatewayLayer([chatty])), Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
  })

  it.effect("every call gets a span with its correlation id when a tracer is installed, and none otherwise", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const gateway = yield* Gateway
      yield* gateway.execute("websocket", "get_stats")
      expect(spans).toHaveLength(0)
      yield* Effect.withTracer(gateway.execute("websocket", "get_stats"), tracer)
      yield* Effect.withTracer(Effect.exit(gateway.execute("websocket", "nope")), tracer)
      const calls = spans.filter((span) => span.name === "Gateway.execute")
      expect(calls.map((span) => span.attributes.get("gateway.operation"))).toStrictEqual(["get_stats", "nope"])
      expect(calls[0]?.attributes.get("gateway.correlation_id")).toMatch(/^gw-\d+$/)
      expect(calls[1]?.attributes.get("gateway.correlation_id")).not.toBe(calls[0]?.attributes.get("gateway.correlation_id"))
      expect(calls.map((span) => span.status._tag)).toStrictEqual(["Ended", "Ended"])
    }).pipe(Effect.provide(inMemoryGateway)))

  it.effect("a quiet interface's successful calls leave the caller's log annotations untouched", () =>
    Effect.gen(function*() {
      const seen: Array<Record<string, unknown>> = []
      const capture = Logger.make(({ annotations }) => {
        seen.push(Object.fromEntries(annotations))
      })
      yield* Effect.gen(function*() {
        const gateway = yield* Gateway
        yield* gateway.execute("websocket", "get_stats")
        yield* Effect.logDebug("after a quiet call")
        yield* Effect.exit(gateway.execute("websocket", "nope"))
      }).pipe(
        Effect.annotateLogs("caller", "mine"),
        Effect.provide(inMemoryGateway),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      expect(seen[0]).toStrictEqual({ caller: "mine" })
      // the gateway's own failure log names the call
      expect(seen[1]).toMatchObject({ caller: "mine", interface: "websocket", operation: "nope", error: "UnknownOperation" })
      expect(seen).toHaveLength(2)
    }))

  it.effect("releasing the gateway closes every connection opened through it", () =>
    Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        websocketGateway(WebSocketClientLayer.pipe(Layer.provide(Layer.succeedContext(yield* Effect.context<WebSocketTransport>())))),
        scope
      )
      yield* websocketConnect({ url }).pipe(Effect.provide(context))
      const peer = yield* server.accepted
      yield* Scope.close(scope, Exit.void)
      // the interface's own scope is released first, closing its connection normally
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(peer.isClosed).toBe(true)
    }).pipe(Effect.provide(WebSocketTest.transportLayer)))
})
