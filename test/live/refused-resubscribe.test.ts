// A re-subscribe the peer refuses on a new connection (Home Assistant refuses an integration's commands while it
// starts): `whenRefused` decides, and may wait on that connection, whether it is sent once more there; otherwise,
// or refused again, the Stream fails with the refusal. The first subscribe's refusal is always the caller's answer.
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Schedule, Schema, Stream, TestClock } from "effect"
import { makeLiveSession, type Protocol } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../core/kit.js"

class Refused extends Schema.TaggedError<Refused>()("Refused", { code: Schema.String }) {}

type Call = { readonly op: string }

// Requests `{ id, op }`; answers `{ id, ok }` or `{ id, refused: code }`; events `{ event: id, item }`.
const watcher: Protocol<Call, void, Refused, never> = {
  name: "Watcher",
  nameOf: (call) => call.op,
  encode: (call, id) => JSON.stringify({ id, op: call.op }),
  decode: (message, inbound) => {
    const m = message as { id?: number; ok?: unknown; refused?: string; event?: number; item?: unknown }
    if (typeof m.id === "number") return typeof m.refused === "string" ? inbound.error(m.id, new Refused({ code: m.refused })) : inbound.result(m.id, m.ok ?? null)
    if (typeof m.event === "number") return inbound.event(m.event, m.item)
    inbound.noise("unknown")
  }
}

const watching = (whenRefused?: (refusal: unknown) => Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    const server = yield* WebSocketTestServer
    const session = yield* makeLiveSession(watcher, { url: "ws://watcher.test/", reconnect: Schedule.spaced("1 second") })
    const peer = yield* server.accepted
    const items = yield* Effect.fork(
      session.subscribe({ op: "watch" }, whenRefused === undefined ? {} : { whenRefused }).pipe(Stream.take(2), Stream.runCollect)
    )
    expect(yield* peer.receiveJson).toStrictEqual({ id: 1, op: "watch" })
    yield* peer.push({ id: 1, ok: true })
    yield* peer.push({ event: 1, item: "before" })
    yield* peer.drop
    yield* TestClock.adjust("1 second")
    const second = yield* server.accepted
    expect(yield* second.receiveJson).toStrictEqual({ id: 1, op: "watch" })
    yield* second.push({ id: 1, refused: "unknown_command" })
    return { second, items, session }
  })

describe("LiveSession: a re-subscribe refused on a new connection", () => {
  it.effect("is sent once more on that connection when whenRefused says so, after it waited; the Stream goes on", () =>
    run(Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const refusals: Array<unknown> = []
      const { items, second } = yield* watching((refusal) =>
        Effect.sync(() => refusals.push(refusal)).pipe(Effect.zipRight(Deferred.await(started)), Effect.as(true))
      )
      yield* TestClock.adjust("1 millis")
      expect(refusals).toStrictEqual([new Refused({ code: "unknown_command" })])
      expect(second.sent).toHaveLength(1) // nothing re-sent before the peer said it is ready
      yield* Deferred.succeed(started, undefined)
      expect(yield* second.receiveJson).toStrictEqual({ id: 2, op: "watch" })
      yield* second.push({ id: 2, ok: true })
      yield* second.push({ event: 1, item: "stale id" }) // the refused subscribe's id routes nothing any more
      yield* second.push({ event: 2, item: "after" })
      expect([...(yield* Fiber.join(items))]).toStrictEqual(["before", "after"])
    })))

  it.effect("refused again there, the Stream fails with the refusal (never a loop)", () =>
    run(Effect.gen(function*() {
      let asked = 0
      const { items, second } = yield* watching(() => Effect.sync(() => ++asked > 0))
      expect(yield* second.receiveJson).toStrictEqual({ id: 2, op: "watch" })
      yield* second.push({ id: 2, refused: "not_found" })
      expect(yield* Fiber.await(items)).toStrictEqual(Exit.fail(new Refused({ code: "not_found" })))
      expect(asked).toBe(1)
    })))

  it.effect("whenRefused false, or none given, fails the Stream with the refusal", () =>
    run(Effect.gen(function*() {
      const declined = yield* watching(() => Effect.succeed(false))
      expect(yield* Fiber.await(declined.items)).toStrictEqual(Exit.fail(new Refused({ code: "unknown_command" })))
      expect(declined.second.sent).toHaveLength(1)
    })))

  it.effect("without whenRefused the refusal fails the Stream as before", () =>
    run(Effect.gen(function*() {
      const plain = yield* watching()
      expect(yield* Fiber.await(plain.items)).toStrictEqual(Exit.fail(new Refused({ code: "unknown_command" })))
    })))

  it.effect("the connection lost while it waits: the next connection subscribes it again, once", () =>
    run(Effect.gen(function*() {
      const never = yield* Deferred.make<boolean>()
      const server = yield* WebSocketTestServer
      const { items, second } = yield* watching(() => Deferred.await(never))
      yield* TestClock.adjust("1 millis")
      yield* second.drop
      yield* TestClock.adjust("1 second")
      const third = yield* server.accepted
      expect(yield* third.receiveJson).toStrictEqual({ id: 1, op: "watch" })
      yield* third.push({ id: 1, ok: true })
      yield* third.push({ event: 1, item: "third" })
      expect([...(yield* Fiber.join(items))]).toStrictEqual(["before", "third"])
      expect(third.sent).toHaveLength(1)
    })))

  it.effect("the first subscribe's refusal is the caller's answer: whenRefused is not asked", () =>
    run(Effect.gen(function*() {
      const server = yield* WebSocketTestServer
      const session = yield* makeLiveSession(watcher, { url: "ws://watcher.test/" })
      const peer = yield* server.accepted
      let asked = false
      const items = yield* Effect.fork(Stream.runCollect(session.subscribe({ op: "watch" }, { whenRefused: () => Effect.sync(() => (asked = true)) })))
      yield* peer.receiveJson
      yield* peer.push({ id: 1, refused: "unknown_command" })
      expect(yield* Fiber.await(items)).toStrictEqual(Exit.fail(new Refused({ code: "unknown_command" })))
      expect(asked).toBe(false)
    })))
})
