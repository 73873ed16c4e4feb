/**
 * Deadlines on the Effect clock served by one timer fiber per client, instead of a timeout race per operation:
 * racing a sleep forks two fibers each time, which measured as the largest cost of an HA `call_service` round trip
 * and of opening a connection. Entries are removed when their operation completes; the fiber sleeps until the
 * earliest deadline, and `TestClock` drives it like any other sleep.
 */
import { type Clock, Duration, Effect, Exit } from "effect"
import { Signal } from "./Signal.js"

/** What a deadline does when it passes: synchronous work that ends the wait (completes a signal, starts a close). */
export type Expiry = () => void

interface Entry {
  readonly at: number
  readonly fire: Expiry
}

export class Deadlines {
  private readonly entries = new Map<number, Entry>()
  private nextKey = 0
  private armedAt: number | undefined = undefined
  private wake = new Signal<void>()
  private running = false

  /** `clock` must be the clock of the fiber that runs `run` (the owner's), so entries and the timer agree. */
  constructor(private readonly clock: Clock.Clock) {}

  /** Whether the timer fiber serves deadlines (it stops when its owner's scope closes). */
  get isRunning(): boolean {
    return this.running
  }

  /** The owner's clock, now, in milliseconds. */
  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** Calls `fire` `after` from now on the owner's clock unless `remove(key)` comes first; returns the key. */
  addAfter(after: Duration.Duration, fire: Expiry): number {
    return this.add(this.clock.unsafeCurrentTimeMillis() + Duration.toMillis(after), fire)
  }

  /** Calls `fire` at `at` (Effect-clock milliseconds) unless `remove` comes first. */
  add(at: number, fire: Expiry): number {
    const key = ++this.nextKey
    this.entries.set(key, { at, fire })
    if (this.armedAt === undefined || at < this.armedAt) this.wake.done(Exit.void)
    return key
  }

  remove(key: number): void {
    this.entries.delete(key)
  }

  /**
   * Waits for `wait`, calling `expire` (which must end the wait, e.g. by completing the awaited signal) once
   * `after` has passed. Uses the shared timer while it runs; after its owner closed, an ordinary timeout race.
   */
  bound<A, E>(wait: Effect.Effect<A, E>, after: Duration.Duration, expire: Expiry): Effect.Effect<A, E> {
    return Effect.suspend(() => {
      if (!Duration.isFinite(after)) return wait
      if (this.running) {
        const key = this.addAfter(after, expire)
        return Effect.ensuring(wait, Effect.sync(() => this.remove(key)))
      }
      return Effect.timeout(Effect.interruptible(wait), after).pipe(
        Effect.catchTag("TimeoutException", () =>
          Effect.zipRight(Effect.sync(expire), wait))
      ) as Effect.Effect<A, E>
    })
  }

  /**
   * Awaits `signal`, calling `expire` (which must complete the signal) once `after` has passed, and `onInterrupt`
   * if the waiter is interrupted. Costs one map entry: no fiber, no finalizer; the entry goes when the signal
   * completes, however it completes.
   */
  awaitSignal<A, E>(
    signal: Signal<A, E>,
    after: Duration.Duration,
    expire: Expiry,
    onInterrupt?: () => void
  ): Effect.Effect<A, E> {
    return Effect.suspend(() => {
      if (signal.isDone || !Duration.isFinite(after)) return signal.awaitOr(onInterrupt)
      if (!this.running) return this.bound(signal.awaitOr(onInterrupt), after, expire)
      const key = this.addAfter(after, expire)
      signal.onDone(() => this.remove(key))
      return signal.awaitOr(onInterrupt)
    })
  }

  /** The timer loop; run it forked in the owner's scope. */
  readonly run: Effect.Effect<never> = Effect.suspend(() => {
    this.running = true
    return this.loop
  }).pipe(Effect.ensuring(Effect.sync(() => (this.running = false))))

  private readonly loop: Effect.Effect<never> = Effect.gen(this, function*() {
    while (true) {
      const now = this.clock.unsafeCurrentTimeMillis()
      let earliest: number | undefined
      for (const [key, entry] of this.entries) {
        if (entry.at <= now) {
          this.entries.delete(key)
          entry.fire()
        } else if (earliest === undefined || entry.at < earliest) {
          earliest = entry.at
        }
      }
      this.wake = new Signal<void>()
      this.armedAt = earliest
      yield* earliest === undefined
        ? this.wake.await
        : Effect.raceFirst(this.clock.sleep(Duration.millis(earliest - now)), this.wake.await)
    }
  })
}
