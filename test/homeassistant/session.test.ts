import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { Session } from "../../src/homeassistant/internal/session.js"
import { WebSocketClient } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../core/kit.js"

describe("Home Assistant session (in-memory transport)", () => {
  it.effect("events for unknown subscription ids and stray results are dropped quietly; routing goes on", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url: "ws://ha.test/api/websocket" })
      const peer = yield* server.accepted
      const session = new Session(client, connection, "2026.1.2")
      yield* Effect.forkScoped(session.run)
      const events: Array<unknown> = []
      const sent = yield* session.send({ type: "subscribe_events" }, (id) => session.route(id, (e) => events.push(e)))
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
})
