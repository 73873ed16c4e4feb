// A live session's binary frames (`sendBinary`, what an Assist run's audio rides on): written on the current
// connection at most once, completed only once the socket took them, never held for the next connection.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schedule, Schema, TestClock } from "effect"
import { ConnectionLost, Disconnected, InvalidMessage, makeLiveSession, type Protocol } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../core/kit.js"

class Fault extends Schema.TaggedError<Fault>()("Fault", { why: Schema.String }) {}

// The smallest protocol: requests as JSON text with an id, answers `{ reply: id }`; no handshake.
const plain: Protocol<{ readonly op: string }, void, Fault, never> = {
  name: "Plain",
  nameOf: (call) => call.op,
  encode: (call, id) => JSON.stringify({ id, op: call.op }),
  decode: (message, inbound) => {
    const reply = (message as { readonly reply?: unknown }).reply
    if (typeof reply === "number") inbound.result(reply, null)
    else inbound.noise("not a reply")
  }
}

const open = (reconnect: Schedule.Schedule<unknown, unknown> | false) =>
  Effect.gen(function*() {
    const server = yield* WebSocketTestServer
    const session = yield* makeLiveSession(plain, { url: "ws://plain.test/", reconnect })
    const peer = yield* server.accepted
    return { server, session, peer }
  })

describe("LiveSession.sendBinary", () => {
  it.effect("writes the bytes as one binary frame, beside text requests on the same connection", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* open(false)
      yield* session.sendBinary(Uint8Array.of(7, 1, 2))
      const ping = yield* Effect.fork(session.request({ op: "ping" }))
      expect(yield* peer.receive).toStrictEqual(Uint8Array.of(7, 1, 2))
      expect(yield* peer.receiveJson).toStrictEqual({ id: 1, op: "ping" })
      yield* peer.push({ reply: 1 })
      expect(yield* Fiber.join(ping)).toBeNull()
    })))

  it.effect("completes only once the socket has taken the frame: a stalled write holds the caller (backpressure)", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* open(false)
      peer.stallWrites = true
      const write = yield* Effect.fork(session.sendBinary(Uint8Array.of(1, 0, 0)))
      yield* peer.receive
      yield* TestClock.adjust("1 minute")
      expect(write.unsafePoll()).toBeNull()
      yield* peer.releaseWrites
      expect(yield* Fiber.await(write)).toStrictEqual(Exit.void)
    })))

  it.effect("with no connection now it is ConnectionLost at once, never held for the next connection", () =>
    run(Effect.gen(function*() {
      const { peer, server, session } = yield* open(Schedule.spaced("1 second"))
      yield* peer.drop
      expect(yield* Effect.flip(session.sendBinary(Uint8Array.of(1, 9, 9)))).toStrictEqual(
        new ConnectionLost({ command: "binary frame" })
      )
      yield* TestClock.adjust("1 second")
      const second = yield* server.accepted
      const ping = yield* Effect.fork(session.request({ op: "ping" }))
      // the first frame on the new connection is the request: the binary frame was not carried over
      expect(yield* second.receiveJson).toStrictEqual({ id: 1, op: "ping" })
      yield* second.push({ reply: 1 })
      yield* Fiber.join(ping)
      expect(second.sent).toHaveLength(1)
    })))

  it.effect("a write in flight when the connection drops is ConnectionLost, not re-sent", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* open(false)
      peer.stallWrites = true
      const write = yield* Effect.fork(session.sendBinary(Uint8Array.of(1, 2, 3)))
      yield* peer.receive
      yield* peer.drop
      expect(yield* Fiber.await(write)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "binary frame" })))
    })))

  it.effect("a closed session is Disconnected with its reason; anything but a Uint8Array is InvalidMessage", () =>
    run(Effect.gen(function*() {
      const { peer, session } = yield* open(false)
      expect(yield* Effect.flip(session.sendBinary("text" as never))).toStrictEqual(
        new InvalidMessage({ reason: "sendBinary takes a Uint8Array" })
      )
      expect(peer.sent).toHaveLength(0)
      yield* peer.drop
      yield* TestClock.adjust("1 millis")
      expect(yield* Effect.flip(session.sendBinary(Uint8Array.of(1)))).toStrictEqual(
        new Disconnected({ reason: "the connection was lost and reconnect is off" })
      )
    })))
})
