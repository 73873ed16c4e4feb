import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Scope, TestClock } from "effect"
import { Deadlines } from "../../src/core/Deadlines.js"

describe("the client's timer", () => {
  it.effect("serves from the moment it is made: an entry added before its fiber first runs fires on time", () =>
    Effect.gen(function*() {
      const deadlines = yield* Deadlines.make(yield* Effect.scope)
      expect(deadlines.isRunning).toBe(true)
      let fired = 0
      deadlines.addAfter(Duration.seconds(1), () => fired++)
      yield* TestClock.adjust("999 millis")
      expect(fired).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect(fired).toBe(1)
    }).pipe(Effect.scoped))

  it.effect("stops when its scope closes: later waits bound themselves", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const deadlines = yield* Deadlines.make(scope)
      yield* Scope.close(scope, Exit.void)
      expect(deadlines.isRunning).toBe(false)
    }))

  it.live("on Effect's own clock it holds a platform timer only while an entry waits, and fires in order", () =>
    Effect.gen(function*() {
      const deadlines = yield* Deadlines.make(yield* Effect.scope)
      expect(deadlines.holdsTimer).toBe(false)
      const fired: Array<string> = []
      const late = deadlines.addAfter(Duration.seconds(30), () => fired.push("late"))
      expect(deadlines.holdsTimer).toBe(true)
      deadlines.addAfter(Duration.millis(20), () => fired.push("soon"))
      deadlines.addAfter(Duration.millis(10), () => fired.push("sooner"))
      yield* Effect.sleep("60 millis")
      expect(fired).toStrictEqual(["sooner", "soon"])
      // re-armed for what is left; once it is gone, nothing keeps a process alive
      expect(deadlines.holdsTimer).toBe(true)
      deadlines.remove(late)
      expect(deadlines.holdsTimer).toBe(false)
      expect(fired).toStrictEqual(["sooner", "soon"])
    }).pipe(Effect.scoped))
})
