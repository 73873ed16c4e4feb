/**
 * A trailing debounce with a ceiling: `run` once events have been quiet for `wait`, or once the first unserved event
 * is `maxWait` old, whichever comes first; never two runs at once. A burst costs one run after it; a steady trickle
 * of events (each less than `wait` after the last) still gets a run every `maxWait`, where `Stream.debounce` would
 * hold it off for as long as the trickle lasts. Time on the Effect clock.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

export const debounced = <E, E2>(
  events: Stream.Stream<unknown, E>,
  wait: Duration.DurationInput,
  maxWait: Duration.DurationInput,
  run: Effect.Effect<void, E2>
): Effect.Effect<void, E | E2, Scope.Scope> =>
  Effect.gen(function*() {
    const waitMs = Duration.toMillis(wait)
    const maxMs = Math.max(waitMs, Duration.toMillis(maxWait))
    const lock = yield* Effect.makeSemaphore(1)
    let first: number | undefined
    let last = 0
    let armed = false
    const due = (): number => Math.min(last + waitMs, (first ?? last) + maxMs)
    const timer: Effect.Effect<void, E2> = Effect.gen(function*() {
      for (let now = yield* Clock.currentTimeMillis; now < due(); now = yield* Clock.currentTimeMillis) {
        yield* Effect.sleep(Duration.millis(due() - now))
      }
      // Events from here on are served by the next run.
      first = undefined
      armed = false
      yield* lock.withPermits(1)(run)
    })
    yield* Stream.runForEach(events, () =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        last = now
        first ??= now
        if (armed) return Effect.void
        armed = true
        return Effect.asVoid(Effect.forkScoped(timer))
      }))
  })
