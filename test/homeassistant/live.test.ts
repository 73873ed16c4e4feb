// The shared live value behind entities and collections: current value first, bounded for a slow consumer.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Stream } from "effect"
import { type Publisher, sharedLive } from "../../src/homeassistant/internal/live.js"

const start = Effect.gen(function*() {
  const ready = yield* Deferred.make<Publisher<number, string>>()
  const live = yield* sharedLive<number, string>((publisher) => Effect.zipRight(Deferred.succeed(ready, publisher), Effect.never), "1 second")
  return { live, ready }
})

describe("sharedLive", () => {
  it.scoped("a consumer that falls behind gets the latest value, not a backlog", () =>
    Effect.gen(function*() {
      const { live, ready } = yield* start
      const gate = yield* Deferred.make<void>()
      const seen: Array<number> = []
      const consumer = yield* Effect.fork(live.pipe(
        Stream.tap((n) => Effect.zipRight(Effect.sync(() => seen.push(n)), n === 0 ? Deferred.await(gate) : Effect.void)),
        Stream.takeUntil((n) => n === 1000),
        Stream.runDrain
      ))
      const publisher = yield* Deferred.await(ready)
      yield* publisher.publish(0)
      yield* Effect.yieldNow()
      for (let n = 1; n <= 1000; n++) yield* publisher.publish(n) // the consumer is stuck on 0 meanwhile
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(consumer)
      expect(seen).toStrictEqual([0, 1000])
    }))

  it.scoped("a late consumer starts from the current value; a failure ends every consumer with it", () =>
    Effect.gen(function*() {
      const { live, ready } = yield* start
      const first = yield* Effect.fork(Stream.runCollect(live))
      const publisher = yield* Deferred.await(ready)
      yield* publisher.publish(7)
      const late = yield* live.pipe(Stream.take(1), Stream.runCollect)
      expect(Chunk.toReadonlyArray(late)).toStrictEqual([7])
      yield* publisher.fail("gone")
      expect(yield* Effect.flip(Fiber.join(first))).toBe("gone")
    }))
})
