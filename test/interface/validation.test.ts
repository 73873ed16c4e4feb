import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Fiber, Option, TestClock } from "effect"
import {
  ConnectionHandle,
  InvalidParameter,
  ParameterTypeError,
  UnknownOperation,
  WebSocketInterface
} from "../../src/index.js"
import { run, url } from "./kit.js"

const VALID = ["close", "connect", "get_stats", "receive", "request", "reset", "send"]

describe("dispatch validation", () => {
  it.effect.each(["", "open", "Connect", "get-stats", "toString", "__proto__", "constructor"])(
    "the operation %j is UnknownOperation listing the valid ones, sorted",
    (operation) =>
      run(Effect.gen(function*() {
        const ws = yield* WebSocketInterface
        const exit = yield* Effect.exit(ws.execute(operation, {}))
        expect(exit).toStrictEqual(Exit.fail(new UnknownOperation({ interfaceName: "websocket", operation, valid: VALID })))
        const error = yield* Effect.flip(ws.execute(operation))
        expect(error.message).toBe(
          `websocket has no operation '${operation}'; valid operations: close, connect, get_stats, receive, request, reset, send`
        )
      }))
  )

  it.effect.each<[string, Record<string, unknown>, string]>([
    ["connect", {}, "url"],
    ["connect", { url: undefined }, "url"],
    ["send", { message: "x" }, "connection"],
    ["receive", {}, "connection"],
    ["close", {}, "connection"],
    ["request", { message: "x" }, "url"],
    ["request", { url }, "message"]
  ])("%s without a required parameter is InvalidParameter naming it", ([operation, params, parameter]) =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const exit = yield* Effect.exit(ws.execute(operation, params))
      expect(exit).toStrictEqual(
        Exit.fail(new InvalidParameter({ operation: `websocket.${operation}`, parameter, reason: "missing" }))
      )
    })))

  it.effect("send without a message reads: websocket.send requires 'message'", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.execute("connect", { url })
      const error = yield* Effect.flip(ws.execute("send", { connection: handle }))
      expect(error).toBeInstanceOf(InvalidParameter)
      expect(error.message).toBe("websocket.send requires 'message'")
    })))

  it.effect.each<[string, Record<string, unknown>, string]>([
    ["connect", { url: 42 }, "url"],
    ["connect", { url, timeout: "soon" }, "timeout"],
    ["connect", { url, timeout: "10" }, "timeout"],
    ["connect", { url, timeout: null }, "timeout"],
    ["connect", { url, headers: "x" }, "headers"],
    ["connect", { url, headers: { "X-A": 1 } }, "headers"],
    ["send", { connection: "ws-1", message: "x" }, "connection"],
    ["send", { connection: { id: "ws-1" }, message: "x" }, "connection"],
    ["send", { connection: new ConnectionHandle("ws://forged/"), message: "x" }, "connection"],
    ["receive", { connection: 1 }, "connection"],
    ["close", { connection: "ws-1" }, "connection"],
    ["request", { url, message: 42 }, "message"],
    ["request", { url, message: null }, "message"]
  ])("%s with %j is ParameterTypeError", ([operation, params, parameter]) =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const error = yield* Effect.flip(ws.execute(operation, params))
      expect(error).toBeInstanceOf(ParameterTypeError)
      expect(error).toMatchObject({ _tag: "ParameterTypeError", operation: `websocket.${operation}`, parameter })
    })))

  it.effect.each<[number | string]>([[-1], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]])(
    "a timeout of %s seconds is InvalidParameter",
    ([timeout]) =>
      run(Effect.gen(function*() {
        const ws = yield* WebSocketInterface
        const exit = yield* Effect.exit(ws.execute("connect", { url, timeout }))
        expect(exit).toStrictEqual(Exit.fail(new InvalidParameter({
          operation: "websocket.connect",
          parameter: "timeout",
          reason: "must be a finite, non-negative number of seconds"
        })))
      }))
  )

  it.effect.each([999, 1004, 1005, 1006, 1015, 2999, 5000, 1000.5])("close code %d is InvalidParameter", (code) =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.execute("connect", { url })
      const error = yield* Effect.flip(ws.execute("close", { connection: handle, code }))
      expect(error).toMatchObject({ _tag: "InvalidParameter", parameter: "code" })
    })))

  it.effect("a close code given as the string \"1000\" is ParameterTypeError", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.execute("connect", { url })
      const error = yield* Effect.flip(ws.execute("close", { connection: handle, code: "1000" }))
      expect(error).toMatchObject({ _tag: "ParameterTypeError", parameter: "code" })
    })))

  it.effect.each([null, "params", 42, ["url"]])("params %j that are not an object are ParameterTypeError", (params) =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const error = yield* Effect.flip(ws.execute("connect", params))
      expect(error).toMatchObject({ _tag: "ParameterTypeError", parameter: "params" })
    })))

  it.effect.each(["connect", "send", "receive", "close", "request", "get_stats", "reset"])(
    "an array as the params of %s is ParameterTypeError, even where no parameter is required",
    (operation) =>
      run(Effect.gen(function*() {
        const ws = yield* WebSocketInterface
        const error = yield* Effect.flip(ws.execute(operation, []))
        expect(error).toMatchObject({ _tag: "ParameterTypeError", parameter: "params" })
      }))
  )

  it.effect("no error message quotes a parameter's value", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const errors = [
        yield* Effect.flip(ws.execute("connect", { url: "ws://x/", headers: "Bearer s3cret" })),
        yield* Effect.flip(ws.execute("connect", { url: { token: "s3cret" } })),
        yield* Effect.flip(ws.execute("connect", { url: "ws://x/", timeout: "s3cret" }))
      ]
      for (const error of errors) expect(JSON.stringify(error) + error.message).not.toContain("s3cret")
    })))
})

/** Values of every kind a caller could pass. */
const anyValue = fc.oneof(
  fc.constantFrom(undefined, null, Number.NaN, Infinity, -1, 0, 1.5, 1000, 4000, "", "ws://example.test/", "x"),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.bigInt(),
  fc.dictionary(fc.string(), fc.string()),
  fc.array(fc.anything()),
  fc.anything()
)

const anyParams = fc.oneof(
  fc.record(
    {
      url: fc.oneof(anyValue, fc.constantFrom("ws://example.test/", "wss://example.test/a", "http://x/", "javascript:x")),
      message: anyValue,
      timeout: anyValue,
      headers: anyValue,
      code: anyValue,
      reason: anyValue,
      connection: anyValue
    },
    { requiredKeys: [] }
  ),
  anyValue
)

describe("property: random parameters", () => {
  it.effect("for every operation, random params yield a result or a typed error: never a defect, throw or hang", () =>
    run(Effect.gen(function*() {
      const ws = yield* WebSocketInterface
      const handle = yield* ws.execute("connect", { url })
      const samples = fc.sample(fc.tuple(fc.constantFrom(...VALID, "nope"), anyParams, fc.boolean()), { numRuns: 400, seed: 7 })
      for (const [operation, params, withHandle] of samples) {
        const withConnection = withHandle && typeof params === "object" && params !== null
          ? { ...params, connection: handle }
          : params
        const fiber = yield* Effect.fork(ws.execute(operation, withConnection))
        // anything that waits (receive, request, connect) is bounded by its timeout or ours on the test clock
        yield* TestClock.adjust("1 hour")
        const exit = Option.getOrUndefined(yield* Fiber.poll(fiber)) ?? (yield* Fiber.interrupt(fiber))
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          const failure = Cause.failureOption(exit.cause)
          if (Option.isSome(failure)) {
            expect(typeof (failure.value as { _tag?: unknown })._tag).toBe("string")
            expect(failure.value).toBeInstanceOf(Error)
          }
        }
      }
    })))
})
