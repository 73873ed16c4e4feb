import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Redacted, TestClock } from "effect"
import type { Connection } from "../../src/core/Connection.js"
import { Deadlines } from "../../src/core/Deadlines.js"
import { homeAssistantProtocol } from "../../src/homeassistant/protocol.js"
import { Session, SessionEnded } from "../../src/live/internal/session.js"
import { CommandTimeout, ConnectionLost, WebSocketClient } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../core/kit.js"

/** What a command does if the session turns out ended only once it runs: these tests never expect that. */
const ended = () => Effect.dieMessage("the session ended unexpectedly")

/** A session on a connection of `client` to the in-memory server, with its reader and deadline timer running. */
const openSession = (client: WebSocketClient["Type"]) =>
  Effect.gen(function*() {
    const server = yield* WebSocketTestServer
    const connection = yield* client.connect({ url: "ws://ha.test/api/websocket" })
    const peer = yield* server.accepted
    const deadlines = yield* Deadlines.make(yield* Effect.scope)
    const session = new Session(homeAssistantProtocol(Effect.succeed(Redacted.make("t"))), client, connection, { haVersion: "2026.1.2" }, deadlines)
    yield* Effect.forkScoped(session.run)
    return { peer, session }
  })

describe("Live session, one connection, with the Home Assistant protocol (in-memory transport)", () => {
  it.effect("events for unknown subscription ids and stray results are dropped quietly; routing goes on", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* openSession(yield* WebSocketClient)
      const events: Array<unknown> = []
      const sent = yield* session.send({ type: "subscribe_events" }, { beforeWrite: (id) => session.route(id, (e) => events.push(e)) })
      expect(yield* peer.receiveJson).toStrictEqual({ type: "subscribe_events", id: 1 })
      yield* peer.push([
        { id: 1, type: "result", success: true, result: null },
        { id: 999, type: "event", event: { event_type: "stray" } },
        { id: 777, type: "result", success: true, result: "nobody asked" },
        { id: 1, type: "event", event: { event_type: "mine" } }
      ])
      expect(yield* sent.result).toBeNull()
      const ping = yield* Effect.fork(Effect.flatMap(session.send({ type: "ping" }), (s) => s.result))
      expect(yield* peer.receiveJson).toStrictEqual({ type: "ping", id: 2 })
      yield* peer.push({ id: 2, type: "pong" })
      expect(yield* Fiber.join(ping)).toBeNull()
      expect(events).toStrictEqual([{ event_type: "mine" }])
      expect(session.isAlive).toBe(true)
    })))

  it.effect("over another WebSocketClient implementation: ids still strictly increase, results and timeouts still work", () =>
    run(Effect.gen(function*() {
      const inner = yield* WebSocketClient
      // A client that wraps every connection in its own handle: the session cannot reach the core's internals.
      const handles = new Map<Connection, Connection>()
      const unwrap = (connection: Connection) => handles.get(connection) ?? connection
      const client = WebSocketClient.of({
        ...inner,
        connect: (options) =>
          Effect.map(inner.connect(options), (connection) => {
            const handle: Connection = {
              id: connection.id,
              url: connection.url,
              get protocol() { return connection.protocol },
              backpressure: connection.backpressure,
              get state() { return connection.state },
              get messages() { return connection.messages },
              get closed() { return connection.closed },
              get buffered() { return connection.buffered },
              get peakBuffered() { return connection.peakBuffered }
            }
            handles.set(handle, connection)
            return handle
          }),
        send: (connection, message, options) => inner.send(unwrap(connection), message, options),
        receive: (connection, options) => inner.receive(unwrap(connection), options),
        close: (connection, options) => inner.close(unwrap(connection), options)
      })
      const { peer, session } = yield* openSession(client)
      const calls = yield* Effect.fork(Effect.all(
        [1, 2, 3].map((n) => session.tryRequest({ type: "call_service", n }, Duration.seconds(5), ended)!),
        { concurrency: "unbounded" }
      ))
      const ids: Array<unknown> = []
      for (let i = 0; i < 3; i++) ids.push(((yield* peer.receiveJson) as { readonly id: unknown }).id)
      expect(ids).toStrictEqual([1, 2, 3])
      yield* peer.push(ids.map((id) => ({ id, type: "result", success: true, result: id })))
      expect(yield* Fiber.join(calls)).toStrictEqual([1, 2, 3])
      const late = yield* Effect.fork(session.tryRequest({ type: "get_states" }, Duration.seconds(5), ended)!)
      expect(yield* peer.receiveJson).toStrictEqual({ type: "get_states", id: 4 })
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.await(late)).toStrictEqual(
        Exit.fail(new CommandTimeout({ command: "get_states", after: Duration.seconds(5) }))
      )
    })))

  it.effect("a write handed to the socket but unconfirmed when the connection drops is ConnectionLost, never re-sent", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* openSession(yield* WebSocketClient)
      peer.stallWrites = true
      const call = yield* Effect.fork(session.tryRequest({ type: "call_service" }, Duration.seconds(5), ended)!)
      expect(yield* peer.receiveJson).toStrictEqual({ type: "call_service", id: 1 })
      yield* peer.drop
      expect(yield* Fiber.await(call)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "call_service" })))
      // Nothing had left on a connection that was already closed: that command may wait for the next session.
      expect(session.tryRequest({ type: "get_states" }, Duration.seconds(5), ended)).toBeUndefined()
      expect(yield* Effect.exit(session.send({ type: "get_states" }))).toStrictEqual(Exit.fail(new SessionEnded()))
      expect(peer.sent).toHaveLength(1)
    })))

  it.effect("an interrupted caller's late result is ignored, and its entry goes by its deadline; later commands work", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* openSession(yield* WebSocketClient)
      const abandoned = yield* Effect.fork(session.tryRequest({ type: "get_states" }, Duration.seconds(5), ended)!)
      expect(yield* peer.receiveJson).toStrictEqual({ type: "get_states", id: 1 })
      yield* Fiber.interrupt(abandoned)
      yield* peer.push({ id: 1, type: "result", success: true, result: "too late" })
      const next = yield* Effect.fork(session.tryRequest({ type: "get_config" }, Duration.seconds(5), ended)!)
      expect(yield* peer.receiveJson).toStrictEqual({ type: "get_config", id: 2 })
      yield* peer.push({ id: 2, type: "result", success: true, result: { version: "x" } })
      expect(yield* Fiber.join(next)).toStrictEqual({ version: "x" })
      // An abandoned command nobody answers times out on its own and leaves nothing behind.
      const silent = yield* Effect.fork(session.tryRequest({ type: "ping" }, Duration.seconds(5), ended)!)
      expect(yield* peer.receiveJson).toStrictEqual({ type: "ping", id: 3 })
      yield* Fiber.interrupt(silent)
      yield* TestClock.adjust("5 seconds")
      expect(session.isAlive).toBe(true)
      const after = yield* Effect.fork(session.tryRequest({ type: "ping" }, Duration.seconds(5), ended)!)
      expect(yield* peer.receiveJson).toStrictEqual({ type: "ping", id: 4 })
      yield* peer.push({ id: 4, type: "pong" })
      expect(yield* Fiber.join(after)).toBeNull()
    })))
})
