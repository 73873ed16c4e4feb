// A third protocol, written here on the public API only, as a user would write theirs: "Chirp", a toy with a
// greeting handshake, string ids, replies and faults, topics to watch, and a ping. The live session gives it
// reconnect, at-most-once calls and watches that survive reconnects without a line of that in the protocol.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Schedule, Schema, Stream, TestClock } from "effect"
import { ConnectionLost, InvalidMessage, makeLiveSession, type Protocol } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../core/kit.js"

// ---- the protocol: ~50 lines -------------------------------------------------------------------------------------
type ChirpCall = { readonly op: string; readonly arg?: unknown }

class ChirpFault extends Schema.TaggedError<ChirpFault>()("ChirpFault", { why: Schema.String }) {}
class ChirpRefused extends Schema.TaggedError<ChirpRefused>()("ChirpRefused", { greeting: Schema.Unknown }) {}

const chirp: Protocol<ChirpCall, { readonly server: string }, ChirpFault, ChirpRefused> = {
  name: "Chirp",
  // Handshake: we say hello, the server answers welcome with its name; anything else refuses us for good.
  handshake: (connection, client) =>
    Effect.gen(function*() {
      yield* Effect.orDie(client.send(connection, { hello: "chirp/1" }))
      const greeting = (yield* Effect.orDie(client.receive(connection))) as { readonly welcome?: unknown }
      if (typeof greeting?.welcome !== "string") return yield* new ChirpRefused({ greeting })
      return { server: greeting.welcome }
    }),
  finalReason: (error) => `the server refused the greeting (${JSON.stringify(error.greeting)})`,
  nameOf: (call) => call.op,
  // Ids travel as strings ("c1"): the session's numbers, framed the protocol's way.
  encode: (call, id) => JSON.stringify({ call: `c${id}`, op: call.op, arg: call.arg ?? null }),
  decode: (message, inbound) => {
    const m = message as { reply?: string; value?: unknown; fault?: string; watch?: string; item?: unknown }
    if (typeof m !== "object" || m === null) return inbound.noise("not an object")
    if (typeof m.reply === "string") {
      const id = Number(m.reply.slice(1))
      return typeof m.fault === "string" ? inbound.error(id, new ChirpFault({ why: m.fault })) : inbound.result(id, m.value)
    }
    if (typeof m.watch === "string") return inbound.event(Number(m.watch.slice(1)), m.item)
    inbound.noise("unknown message")
  },
  // Watch items name the watch call's id (as HA's events do): no subscriptionKey needed.
  unsubscribe: (key) => ({ op: "unwatch", arg: `c${key}` }),
  ping: { op: "ping" }
}
// -----------------------------------------------------------------------------------------------------------------

const open = Effect.gen(function*() {
  const server = yield* WebSocketTestServer
  const started = yield* Effect.fork(makeLiveSession(chirp, { url: "ws://chirp.test/", reconnect: Schedule.spaced("1 second") }))
  const peer = yield* server.accepted
  expect(yield* peer.receiveJson).toStrictEqual({ hello: "chirp/1" })
  yield* peer.push({ welcome: "toy-1" })
  return { session: yield* Fiber.join(started), peer, server }
})

describe("a user-written protocol on the live session", () => {
  it.effect("calls, faults, watches across a reconnect, and the handshake's info", () =>
    run(Effect.gen(function*() {
      const { peer, server, session } = yield* open
      expect(yield* session.info).toStrictEqual({ server: "toy-1" })
      const sum = yield* Effect.fork(session.request({ op: "sum", arg: [2, 3] }))
      expect(yield* peer.receiveJson).toStrictEqual({ call: "c1", op: "sum", arg: [2, 3] })
      yield* peer.push({ reply: "c1", value: 5 })
      expect(yield* Fiber.join(sum)).toBe(5)
      const bad = yield* Effect.fork(session.request({ op: "divide", arg: [1, 0] }))
      yield* peer.receiveJson
      yield* peer.push({ reply: "c2", fault: "division by zero" })
      expect(yield* Fiber.await(bad)).toStrictEqual(Exit.fail(new ChirpFault({ why: "division by zero" })))

      const watch = yield* Effect.fork(session.subscribe({ op: "watch", arg: "kitchen" }).pipe(Stream.take(2), Stream.runCollect))
      expect(yield* peer.receiveJson).toStrictEqual({ call: "c3", op: "watch", arg: "kitchen" })
      yield* peer.push({ reply: "c3", value: "ok" })
      yield* peer.push({ watch: "c3", item: "warm" })
      const inFlight = yield* Effect.fork(session.request({ op: "toast" }))
      yield* peer.receiveJson
      yield* peer.drop
      expect(yield* Fiber.await(inFlight)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "toast" })))

      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      expect(yield* second.receiveJson).toStrictEqual({ hello: "chirp/1" })
      yield* second.push({ welcome: "toy-2" })
      // the watch, exactly once on the new connection, with the new connection's ids
      expect(yield* second.receiveJson).toStrictEqual({ call: "c1", op: "watch", arg: "kitchen" })
      yield* second.push({ reply: "c1", value: "ok" })
      yield* second.push({ watch: "c1", item: "hot" })
      expect(Chunk.toReadonlyArray(yield* Fiber.join(watch))).toStrictEqual(["warm", "hot"])
      expect(yield* second.receiveJson).toStrictEqual({ call: "c2", op: "unwatch", arg: "c1" })
      expect(yield* session.info).toStrictEqual({ server: "toy-2" })
    })))

  it.effect("its ping keeps the link honest, and a refused greeting closes the session for good", () =>
    run(Effect.gen(function*() {
      const { peer, server, session } = yield* open
      yield* TestClock.adjust("30 seconds")
      const ping = (yield* peer.receiveJson) as { call: string; op: string }
      expect(ping.op).toBe("ping")
      yield* peer.push({ reply: ping.call, value: "pong" })
      // the next ping goes unanswered: after 10 s the connection is replaced, and that server refuses us
      yield* TestClock.adjust("40 seconds")
      expect(peer.isClosed).toBe(true)
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      yield* second.receiveJson
      yield* second.push({ go: "away" })
      const state = yield* Stream.runHead(Stream.filter(session.states, (s) => s === "closed"))
      expect(state._tag).toBe("Some")
      expect(yield* Effect.flip(session.request({ op: "sum" }))).toMatchObject({
        _tag: "Disconnected",
        reason: "the server refused the greeting ({\"go\":\"away\"})"
      })
    })))

  it.effect("a protocol that throws is contained: a request it cannot frame is InvalidMessage, a message it cannot read is dropped", () =>
    run(Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      const fussy: Protocol<ChirpCall, void, ChirpFault, never> = {
        name: "Chirp",
        nameOf: chirp.nameOf,
        encode: (call, id) => {
          if (call.op === "bad") throw new TypeError("cannot frame")
          return JSON.stringify({ call: `c${id}`, op: call.op })
        },
        decode: (message, inbound) => {
          if ((message as { boom?: unknown }).boom !== undefined) throw new RangeError("cannot read")
          chirp.decode(message, inbound)
        }
      }
      const session = yield* makeLiveSession(fussy, { url: "ws://chirp.test/" })
      const peer = yield* server.accepted
      expect(yield* Effect.flip(session.request({ op: "bad" }))).toStrictEqual(
        new InvalidMessage({ reason: "Chirp could not frame the request (TypeError)" })
      )
      const good = yield* Effect.fork(session.request({ op: "good" }))
      expect(yield* peer.receiveJson).toStrictEqual({ call: "c1", op: "good" })
      yield* peer.push({ boom: true })
      yield* peer.push({ reply: "c1", value: "fine" })
      expect(yield* Fiber.join(good)).toBe("fine")
      expect(yield* session.dropped).toBe(1)
    })))
})
