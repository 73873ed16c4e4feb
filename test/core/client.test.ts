import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Metric, MetricState, TestClock } from "effect"
import {
  ConnectionClosed,
  ConnectionRefused,
  InvalidMessage,
  Timeout,
  WebSocketClient,
  WebSocketMetrics
} from "../../src/index.js"
import { make as WebSocketClientMake } from "../../src/core/WebSocketClient.js"
import { Handshake, WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { recordingTracer, run, url } from "./kit.js"


/** A server script: answer every accepted connection's first message with its upper-case echo. */
const echoUpperOnce = Effect.gen(function*() {
  const server = yield* WebSocketTestServer
  return yield* Effect.fork(Effect.forever(Effect.gen(function*() {
    const peer = yield* server.accepted
    const frame = yield* peer.receive
    yield* peer.push(String(frame).toUpperCase())
  })))
})

describe("request", () => {
  it.effect("connects, sends, returns the first reply and closes", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* echoUpperOnce
      const reply = yield* client.request({ url, message: "hello", headers: { "X-Id": "7" } })
      expect(reply).toBe("HELLO")
      const [peer] = yield* server.attempts
      expect(peer?.headers).toStrictEqual({ "X-Id": "7" })
      expect(peer?.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({
        connectionsOpened: 1,
        connectionsClosed: 1,
        messagesSent: 1,
        messagesReceived: 1,
        activeConnections: 0,
        errors: 0
      })
    })))

  it.effect("requests in a row, to one URL or others, with headers or without, each go where and as they say", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* echoUpperOnce
      const other = "ws://other.test/feed?page=2"
      expect(yield* client.request({ url, message: "a" })).toBe("A")
      expect(yield* client.request({ url, message: "b" })).toBe("B")
      expect(yield* client.request({ url: other, message: "c" })).toBe("C")
      expect(yield* client.request({ url, message: "d", headers: { "X-Id": "9" } })).toBe("D")
      expect(yield* client.request({ url, message: "e" })).toBe("E")
      const invalid = yield* Effect.flip(client.request({ url: "http://example.test/", message: "f" }))
      expect(invalid._tag).toBe("InvalidUrl")
      expect(yield* client.request({ url, message: "g" })).toBe("G")
      const attempts = yield* server.attempts
      expect(attempts.map((peer) => [peer.request.url.href, peer.headers, peer.sent])).toStrictEqual([
        [url, {}, ["a"]],
        [url, {}, ["b"]],
        [other, {}, ["c"]],
        [url, { "X-Id": "9" }, ["d"]],
        [url, {}, ["e"]],
        [url, {}, ["g"]]
      ])
    })))

  it.effect("times out after 30 seconds by default, covering connect, send and receive, and closes", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const fiber = yield* Effect.fork(client.request({ url, message: { q: 1 } }))
      const peer = yield* server.accepted
      yield* TestClock.adjust("30 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "request", after: Duration.seconds(30) }))
      )
      expect(peer.sent).toStrictEqual(["{\"q\":1}"])
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 1 })
    })))

  it.effect("a hanging handshake is bounded by the request timeout", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(client.request({ url, message: "x", timeout: "12 seconds" }))
      yield* TestClock.adjust("12 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "request", after: Duration.seconds(12) }))
      )
    })))

  it.effect("passes connect errors through unchanged", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.refuse)
      expect(yield* Effect.exit(client.request({ url, message: "x" }))).toStrictEqual(
        Exit.fail(new ConnectionRefused({ url, detail: "ECONNREFUSED (in-memory test server)" }))
      )
    })))

  it.effect("an unserialisable message fails before any connection is opened", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const exit = yield* Effect.exit(client.request({ url, message: { big: 10n } }))
      expect(exit).toStrictEqual(Exit.fail(new InvalidMessage({ reason: "a BigInt has no JSON form" })))
      expect(yield* server.attempts).toStrictEqual([])
    })))

  it.effect("a peer that closes instead of replying fails with ConnectionClosed", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* Effect.fork(Effect.flatMap(server.accepted, (peer) => peer.close(1011, "server error")))
      expect(yield* Effect.exit(client.request({ url, message: "x" }))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1011, reason: "server error" }))
      )
    })))
})

describe("request: the whole cycle as one wait", () => {
  it.effect("a server that speaks first: its first message is the reply, and the request still sends and closes", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* Effect.fork(Effect.flatMap(server.accepted, (peer) => peer.push("welcome")))
      expect(yield* client.request({ url, message: "hi" })).toBe("welcome")
      const [peer] = yield* server.attempts
      expect(peer?.sent).toStrictEqual(["hi"])
      expect(peer?.closeFrame).toStrictEqual({ code: 1000, reason: "" })
    })))

  it.effect("interrupted while waiting for the reply, it closes with 1000 before the interruption completes", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const fiber = yield* Effect.fork(client.request({ url, message: "x" }))
      const peer = yield* server.accepted
      yield* Fiber.interrupt(fiber)
      expect(peer.closeFrame).toStrictEqual({ code: 1000, reason: "" })
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, connectionsClosed: 1 })
    })))

  it.effect("times out during the close handshake's wait for the reply: still Timeout, and the connection ends", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const fiber = yield* Effect.fork(client.request({ url, message: "x", timeout: "2 seconds" }))
      const peer = yield* server.accepted
      peer.autoCloseReply = false
      yield* TestClock.adjust("2 seconds")
      // The close handshake gets its own bound (5 s by default), then the socket is terminated.
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "request", after: Duration.seconds(2) }))
      )
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, errors: 1 })
    })))

  it.effect("a client whose scope has closed still bounds a request by its timeout, and counts it once", () =>
    Effect.gen(function*() {
      const client = yield* Effect.scoped(WebSocketClientMake)
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(client.request({ url, message: "x", timeout: "3 seconds" }))
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "request", after: Duration.seconds(3) }))
      )
      expect(yield* client.getStats).toMatchObject({ errors: 1 })
    }).pipe(Effect.provide(WebSocketTest.transportLayer)))

  it.effect("every failed request counts one error, whatever failed; an interrupted one counts none", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const errors = Effect.map(client.getStats, (stats) => stats.errors)
      yield* Effect.exit(client.request({ url, message: { big: 10n } }))
      expect(yield* errors).toBe(1)
      yield* Effect.exit(client.request({ url: "http://not-a-websocket", message: "x" }))
      expect(yield* errors).toBe(2)
      yield* Effect.fork(Effect.flatMap(server.accepted, (peer) => peer.close(1011, "server error")))
      yield* Effect.exit(client.request({ url, message: "x" }))
      expect(yield* errors).toBe(3)
      const fiber = yield* Effect.fork(client.request({ url, message: "x" }))
      yield* server.accepted
      yield* Fiber.interrupt(fiber)
      expect(yield* errors).toBe(3)
      yield* server.setHandshake(Handshake.refuse)
      yield* Effect.exit(client.request({ url, message: "x" }))
      expect(yield* errors).toBe(4)
    })))
})

describe("stats and reset", () => {
  it.effect("counts per instance: two clients do not share counters", () =>
    Effect.gen(function*() {
      const a = yield* run(Effect.gen(function*() {
        const client = yield* WebSocketClient
        yield* client.connect({ url })
        return yield* client.getStats
      }))
      const b = yield* run(WebSocketClient.pipe(Effect.flatMap((client) => client.getStats)))
      expect(a).toMatchObject({ connectionsOpened: 1, activeConnections: 1 })
      expect(b).toStrictEqual({
        connectionsOpened: 0,
        connectionsClosed: 0,
        messagesSent: 0,
        messagesReceived: 0,
        bytesSent: 0,
        bytesReceived: 0,
        errors: 0,
        activeConnections: 0
      })
    }))

  it.effect("reset closes every active connection with 1001 going away and zeroes the stats", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const first = yield* client.connect({ url })
      yield* client.connect({ url })
      const peers = [yield* server.accepted, yield* server.accepted]
      yield* client.send(first, "x")
      yield* client.reset
      expect(peers.map((peer) => peer.closeFrame)).toStrictEqual([
        { code: 1001, reason: "going away" },
        { code: 1001, reason: "going away" }
      ])
      expect(yield* Effect.exit(client.receive(first))).toStrictEqual(
        Exit.fail(new ConnectionClosed({ code: 1001, reason: "going away" }))
      )
      // the failed receive above is the only thing counted since the reset
      expect(yield* client.getStats).toMatchObject({
        connectionsOpened: 0,
        connectionsClosed: 0,
        messagesSent: 0,
        activeConnections: 0,
        errors: 1
      })
    })))

  it.effect("reset aborts a handshake still in progress", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      yield* server.setHandshake(Handshake.hang)
      const fiber = yield* Effect.fork(client.connect({ url }))
      yield* Effect.yieldNow()
      yield* client.reset
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      const [attempt] = yield* server.attempts
      expect(attempt?.isClosed).toBe(true)
    })))

  it.effect("publishes its counters as Effect metrics labelled with the client instance", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const before = yield* metricValues
      const connection = yield* client.connect({ url })
      const peer = yield* server.accepted
      yield* client.send(connection, "abc")
      yield* peer.push("reply")
      yield* client.receive(connection)
      const after = yield* metricValues
      const changed = [...after].filter(([key, value]) => before.get(key) !== value).sort()
      const label = changed[0]?.[0].split("|")[1]
      expect(changed).toStrictEqual([
        [`effect_ws_active_connections|${label}`, 1],
        [`effect_ws_bytes_received|${label}`, 5],
        [`effect_ws_bytes_sent|${label}`, 3],
        [`effect_ws_connections_opened|${label}`, 1],
        [`effect_ws_messages_received|${label}`, 1],
        [`effect_ws_messages_sent|${label}`, 1]
      ])
      // The exported metric objects, tagged with the instance, read these same counters.
      const tagged = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>) => Metric.tagged(metric, "client", `${label}`)
      expect(yield* Metric.value(tagged(WebSocketMetrics.activeConnections))).toStrictEqual(MetricState.gauge(1))
      expect(yield* Metric.value(tagged(WebSocketMetrics.bytesReceived))).toStrictEqual(MetricState.counter(5))
      expect(yield* Metric.value(tagged(WebSocketMetrics.bytesSent))).toStrictEqual(MetricState.counter(3))
      expect(yield* Metric.value(tagged(WebSocketMetrics.connectionsOpened))).toStrictEqual(MetricState.counter(1))
      expect(yield* Metric.value(tagged(WebSocketMetrics.messagesReceived))).toStrictEqual(MetricState.counter(1))
      expect(yield* Metric.value(tagged(WebSocketMetrics.messagesSent))).toStrictEqual(MetricState.counter(1))
    })))
})

/** Every effect_ws_* metric as "name|client" → value. */
const metricValues = Effect.map(Metric.snapshot, (pairs) => {
  const values = new Map<string, number>()
  for (const pair of pairs) {
    if (!pair.metricKey.name.startsWith("effect_ws_")) continue
    const client = pair.metricKey.tags.find((tag) => tag.key === "client")?.value
    const state = pair.metricState as unknown as { readonly count?: number; readonly value?: number }
    values.set(`${pair.metricKey.name}|${client}`, Number(state.count ?? state.value))
  }
  return values
})

describe("observability", () => {
  it.effect("spans carry the URL without credentials or query, and no header values", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      let connectionId: number | undefined
      yield* run(Effect.gen(function*() {
        const client = yield* WebSocketClient
        const connection = yield* client.connect({
          url: "ws://user:hunter2@example.test/api?token=abc",
          headers: { Authorization: "Bearer abc" }
        })
        connectionId = connection.id
        yield* client.send(connection, "x")
        yield* client.connectAll([{ url: "ws://user:hunter2@example.test/many?token=abc", headers: { Authorization: "Bearer abc" } }])
        yield* Effect.exit(client.request({ url: "ws://user:hunter2@example.test/rpc?token=abc", message: "x", timeout: 0 }))
      })).pipe(Effect.withTracer(tracer))
      const request = spans.find((span) => span.name === "WebSocketClient.request")
      expect(request?.attributes.get("url.full")).toBe("ws://example.test/rpc")
      expect(request?.status._tag).toBe("Ended")
      const connect = spans.find((span) => span.name === "WebSocketClient.connect")
      expect(connect?.attributes.get("url.full")).toBe("ws://example.test/api")
      const connectAll = spans.find((span) => span.name === "WebSocketClient.connectAll")
      expect(connectAll?.attributes.get("ws.connections")).toBe(1)
      const send = spans.find((span) => span.name === "WebSocketClient.send")
      expect(send?.attributes.get("ws.connection")).toBe(connectionId)
      const everything = JSON.stringify(spans.map((span) => [span.name, [...span.attributes]]))
      expect(everything).not.toContain("hunter2")
      expect(everything).not.toContain("Bearer")
      expect(everything).not.toContain("token=abc")
    }))
})
