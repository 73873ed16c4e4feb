import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Fiber, Option, TestClock } from "effect"
import { WebSocketClient, WebSocketInterface } from "../../src/index.js"
import { WebSocketTestServer } from "../../src/testing/index.js"
import { run } from "../interface/kit.js"

/** A value the caller got back, or the tag of the typed error; a defect or a plain thrown Error fails the test. */
const outcome = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  expect(Cause.isDie(exit.cause)).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return "interrupted"
  const tag = (failure.value as { readonly _tag?: unknown })._tag
  expect(typeof tag).toBe("string")
  return String(tag)
}

const urls: ReadonlyArray<readonly [string, unknown, string]> = [
  ["http://", "http://example.test/", "InvalidUrl"],
  ["ftp://", "ftp://example.test/", "InvalidUrl"],
  ["javascript:", "javascript:alert(1)", "InvalidUrl"],
  ["empty", "", "InvalidUrl"],
  ["10,000 characters", `ws://example.test/${"a".repeat(10_000)}`, "ok"],
  ["user:pass@", "ws://user:pass@example.test/", "ok"],
  ["an IPv6 literal", "ws://[::1]:8123/", "ok"],
  ["spaces", "ws://exa mple.test/", "InvalidUrl"],
  ["a number", 42, "InvalidUrl"],
  ["null", null, "InvalidUrl"]
]

const cyclic: Record<string, unknown> = {}
cyclic.self = cyclic

// The input comes last in each row: a test title names a row by its description and expected outcome, never by
// printing the input (a title holding the 50 MB string made one green CI log 52 MB).
const messages: ReadonlyArray<readonly [string, string, unknown]> = [
  ["BigInt", "InvalidMessage", { n: 1n }],
  ["a cyclic object", "InvalidMessage", cyclic],
  ["undefined", "InvalidMessage", undefined],
  ["a function", "InvalidMessage", () => 1],
  ["a Symbol", "InvalidMessage", Symbol("s")],
  ["a 50 MB string", "ok", "x".repeat(50 * 1024 * 1024)]
]

const closeCodes: ReadonlyArray<unknown> = [999, 1004, 1005, 1006, 1015, 2999, 5000, Number.NaN, "1000"]
const timeouts: ReadonlyArray<unknown> = [-1, Number.NaN, "10", null, "soon", {}]

describe("bad input at the core", () => {
  it.effect.each(urls)("connect with a URL of %s → %s", ([, url, expected]) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      expect(outcome(yield* Effect.exit(Effect.scoped(client.connect({ url: url as string }))))).toBe(expected)
      expect((yield* client.getStats).activeConnections).toBe(0)
    })))

  it.effect.each(messages)("send %s → %s", ([, expected, message]) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const connection = yield* client.connect({ url: "ws://example.test/" })
      const peer = yield* server.accepted
      expect(outcome(yield* Effect.exit(client.send(connection, message as never)))).toBe(expected)
      expect(peer.sent.length).toBe(expected === "ok" ? 1 : 0)
    })))

  it.effect.each(closeCodes)("close with code %j → InvalidOption, and the connection stays usable", (code) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: "ws://example.test/" })
      expect(outcome(yield* Effect.exit(client.close(connection, { code: code as number })))).toBe("InvalidOption")
      yield* client.send(connection, "still open")
    })))

  it.effect("a reason over 123 bytes → InvalidOption", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: "ws://example.test/" })
      expect(outcome(yield* Effect.exit(client.close(connection, { reason: "r".repeat(124) })))).toBe("InvalidOption")
    })))

  it.effect.each(timeouts)("a timeout of %j → InvalidOption for connect, send and receive", (timeout) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: "ws://example.test/" })
      const t = timeout as number
      expect(outcome(yield* Effect.exit(Effect.scoped(client.connect({ url: "ws://example.test/", timeout: t }))))).toBe("InvalidOption")
      expect(outcome(yield* Effect.exit(client.send(connection, "x", { timeout: t })))).toBe("InvalidOption")
      expect(outcome(yield* Effect.exit(client.receive(connection, { timeout: t })))).toBe("InvalidOption")
    })))

  it.effect("Infinity is accepted as 'no time bound' by the core (the seconds interface refuses it)", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const ws = yield* WebSocketInterface
      const connection = yield* client.connect({ url: "ws://example.test/", timeout: Number.POSITIVE_INFINITY })
      expect(connection.state).toBe("open")
      expect(outcome(yield* Effect.exit(ws.execute("connect", { url: "ws://example.test/", timeout: Infinity }))))
        .toBe("InvalidParameter")
    })))

  it.effect.each<[string, unknown]>([
    ["CR/LF in a value", { "X-A": "a\r\nB: c" }],
    ["a NUL in a value", { "X-A": "a\0" }],
    ["a non-string value", { "X-A": 1 }],
    ["a bad header name", { "Bad Name": "x" }],
    ["not a record", "Authorization: x"]
  ])("headers with %s → InvalidOption, no connection attempted", ([, headers]) =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const server = yield* WebSocketTestServer
      const exit = yield* Effect.exit(Effect.scoped(client.connect({ url: "ws://example.test/", headers: headers as never })))
      expect(outcome(exit)).toBe("InvalidOption")
      expect(yield* server.attempts).toStrictEqual([])
    })))
})

describe("property: random input to every core operation", () => {
  const anything = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.constantFrom(undefined, null, Number.NaN, -1, Infinity, "10", "ws://example.test/", "http://x/", 1000, 4000)
  )
  const anyOptions = fc.record(
    { url: fc.oneof(anything, fc.webUrl(), fc.constant("ws://example.test/")), timeout: anything, headers: anything,
      protocols: anything, maxPayload: anything, bufferSize: anything, closeTimeout: anything, heartbeat: anything,
      code: anything, reason: anything, message: anything },
    { requiredKeys: [] }
  )

  it.effect("connect, send, receive, close and request only ever succeed or fail with a typed error", () =>
    run(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url: "ws://example.test/" })
      const cases = fc.sample(fc.tuple(fc.nat(4), anyOptions), { numRuns: 500, seed: 11 })
      for (const [op, options] of cases) {
        // deliberately untyped: this is what JavaScript callers can pass
        const o = options as never
        const message = (options as { readonly message?: never }).message as never
        const effect: Effect.Effect<unknown, unknown> = [
          Effect.scoped(client.connect(o)),
          client.send(connection, message, o),
          client.receive(connection, o),
          client.close(connection, o),
          client.request(o)
        ][op] as Effect.Effect<unknown, unknown>
        const fiber = yield* Effect.fork(effect)
        yield* TestClock.adjust("1 hour")
        const exit = Option.getOrUndefined(yield* Fiber.poll(fiber)) ?? (yield* Fiber.interrupt(fiber))
        outcome(exit)
      }
      expect((yield* client.getStats).activeConnections).toBeLessThanOrEqual(1)
    })), 60_000)
})
