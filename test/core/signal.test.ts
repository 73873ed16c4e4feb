import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { Signal } from "../../src/core/Signal.js"

describe("Signal, the one-shot completion behind connections and commands", () => {
  it.effect("wakes its one waiter, then every later await completes at once with the same outcome", () =>
    Effect.gen(function*() {
      const signal = new Signal<number, string>()
      const waiter = yield* Effect.fork(signal.awaitUncancellable)
      yield* Effect.yieldNow()
      expect(signal.done(Exit.succeed(1))).toBe(true)
      expect(signal.done(Exit.fail("late"))).toBe(false)
      expect(yield* Fiber.await(waiter)).toStrictEqual(Exit.succeed(1))
      expect(yield* Effect.exit(signal.await)).toStrictEqual(Exit.succeed(1))
      expect(signal.exit).toStrictEqual(Exit.succeed(1))
    }))

  it.effect("wakes many waiters, after the onDone callbacks registered before it completed, in order", () =>
    Effect.gen(function*() {
      const signal = new Signal<string>()
      const seen: Array<string> = []
      signal.onDone(() => seen.push("first callback"))
      const waiters = yield* Effect.forEach([1, 2, 3], (n) =>
        Effect.fork(Effect.tap(signal.await, () => Effect.sync(() => seen.push(`waiter ${n}`)))))
      yield* Effect.yieldNow()
      signal.onDone(() => seen.push("second callback"))
      signal.done(Exit.succeed("ok"))
      expect(seen).toStrictEqual(["first callback", "second callback"])
      for (const waiter of waiters) expect(yield* Fiber.join(waiter)).toBe("ok")
      expect(seen.slice(2).sort()).toStrictEqual(["waiter 1", "waiter 2", "waiter 3"])
    }))

  it.effect("an interrupted waiter leaves, and runs its cleanup, whether it waited alone or with others", () =>
    Effect.gen(function*() {
      const alone = new Signal<void>()
      let cleaned = 0
      const lone = yield* Effect.fork(alone.awaitOr(() => cleaned++))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(lone)
      expect(cleaned).toBe(1)
      expect(alone.done(Exit.void)).toBe(true) // nobody left to wake: nothing breaks

      const shared = new Signal<number>()
      const leaving = yield* Effect.fork(shared.awaitOr(() => cleaned++))
      const staying = yield* Effect.fork(shared.await)
      const third = yield* Effect.fork(shared.awaitUncancellable)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(leaving)
      expect(cleaned).toBe(2)
      shared.done(Exit.succeed(7))
      expect(yield* Fiber.join(staying)).toBe(7)
      expect(yield* Fiber.join(third)).toBe(7)
    }))

  it.effect("wake calls back with the outcome in turn with the other waiters, at once after completion, and a stale wake-up is harmless", () =>
    Effect.gen(function*() {
      const signal = new Signal<number, string>()
      const seen: Array<Exit.Exit<number, string>> = []
      signal.wake((exit) => seen.push(exit))
      signal.onDone(() => seen.push(Exit.fail("then the callback")))
      expect(seen).toHaveLength(0)
      signal.done(Exit.succeed(3))
      expect(seen).toStrictEqual([Exit.succeed(3), Exit.fail("then the callback")])
      signal.wake((exit) => seen.push(exit))
      expect(seen).toStrictEqual([Exit.succeed(3), Exit.fail("then the callback"), Exit.succeed(3)])
      // As an Effect.async resume: an interrupted fiber ignores the wake-up that comes after it left.
      const late = new Signal<number>()
      const fiber = yield* Effect.fork(Effect.async<number>((resume) => late.wake(resume)))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      late.done(Exit.succeed(1))
      expect(yield* Fiber.await(fiber)).toSatisfy(Exit.isInterrupted)
    }))
})
