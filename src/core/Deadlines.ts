/**
 * Deadlines on the Effect clock served by one timer fiber per client, instead of a timeout race per operation:
 * racing a sleep forks two fibers each time, which measured as the largest cost of an HA `call_service` round trip
 * and of opening a connection. Entries are removed when their operation completes; the fiber sleeps until the
 * earliest deadline, and `TestClock` drives it like any other sleep.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { Signal } from "./Signal.js"

/** What a deadline does when it passes: synchronous work that ends the wait (completes a signal, starts a close). */
export type Expiry = () => void

interface Entry {
  readonly at: number
  readonly fire: Expiry
}

/** The longest delay `setTimeout` takes (about 24.8 days); a later deadline is re-armed when this one passes. */
const MAX_TIMER_DELAY = 2_147_483_647

/** Effect's own clock, as opposed to `TestClock` or another a program provides. */
const liveClockPrototype: object | null = Object.getPrototypeOf(Clock.make())

export class Deadlines {
  private readonly entries = new Map<number, Entry>()
  private nextKey = 0
  private armedAt: number | undefined = undefined
  private wake = new Signal<void>()
  private running = false
  /**
   * On Effect's own clock the deadlines are served by one platform timer, set only while an entry waits: a fiber
   * asleep on `Clock.sleep` would hold the process open until the last deadline armed, however long ago its
   * operation completed (a script's one `request` kept Node running for its whole 30 s timeout). On any other
   * clock (`TestClock`), a fiber sleeps on it, so the clock drives every deadline.
   */
  private readonly live: boolean
  private timer: ReturnType<typeof setTimeout> | undefined = undefined

  private constructor(private readonly clock: Clock.Clock) {
    this.live = Object.getPrototypeOf(clock) === liveClockPrototype
  }

  /**
   * A timer on the caller's clock whose fiber lives in `scope`. It serves deadlines from the moment it is made
   * (entries added before its fiber first runs are served once it does: an operation right after a layer is built
   * must not find it "stopped" and fall back to a race of fibers) until `scope` closes.
   */
  static make(scope: Scope.Scope): Effect.Effect<Deadlines> {
    return Effect.flatMap(Effect.clock, (clock) => {
      const deadlines = new Deadlines(clock)
      deadlines.running = true
      // Added after the fork, so it runs before the fiber is interrupted: from then on, waits bound themselves.
      const stop = Scope.addFinalizer(scope, Effect.sync(() => {
        deadlines.running = false
        deadlines.disarm()
      }))
      return Effect.as(deadlines.live ? stop : Effect.zipRight(Effect.forkIn(deadlines.loop, scope), stop), deadlines)
    })
  }

  /** Whether the timer serves deadlines (it stops when its owner's scope closes). */
  get isRunning(): boolean {
    return this.running
  }

  /** Whether a platform timer is set now (Effect's own clock only): it is, exactly while some entry waits. */
  get holdsTimer(): boolean {
    return this.timer !== undefined
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
    if (this.armedAt === undefined || at < this.armedAt) {
      if (!this.live) this.wake.done(Exit.void)
      else if (this.running) this.arm(at)
    }
    return key
  }

  remove(key: number): void {
    this.entries.delete(key)
    // Nothing left to time: the platform timer goes, so an idle client holds no process open.
    if (this.live && this.entries.size === 0) this.disarm()
  }

  /** Sets the platform timer for `at` (live clock only). */
  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.armedAt = at
    this.timer = setTimeout(this.onTimer, Math.min(Math.max(0, at - this.now()), MAX_TIMER_DELAY))
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = undefined
  }

  /** The platform timer fired: fire what is due, and set it again for the next entry, if any. */
  private readonly onTimer = (): void => {
    this.timer = undefined
    this.armedAt = undefined
    if (!this.running) return
    const earliest = this.fireDue(this.now())
    // An expiry may have added an earlier entry (and armed for it) while the due ones fired.
    if (earliest !== undefined && (this.armedAt === undefined || earliest < this.armedAt)) this.arm(earliest)
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
      if (!this.running) {
        // `onInterrupt` only for the caller's interruption: the timeout race also interrupts the wait it bounds,
        // and cleaning up then (destroying a connecting socket) would end the wait before `expire` could say why.
        const bounded = this.bound(signal.await, after, expire)
        return onInterrupt === undefined ? bounded : Effect.onInterrupt(bounded, () => Effect.sync(onInterrupt))
      }
      const key = this.addAfter(after, expire)
      signal.onDone(() => this.remove(key))
      return signal.awaitOr(onInterrupt)
    })
  }

  /**
   * Fires the entries due at `now` and returns the earliest deadline left. A method of its own so the loop's
   * generator holds no entry while it sleeps: a suspended generator keeps its locals, and an entry's `fire` closure
   * can reach its whole operation (a `connectAll`'s every setting, 0.5 KB a connection, until the next wake-up).
   */
  private fireDue(now: number): number | undefined {
    let earliest: number | undefined
    for (const [key, entry] of this.entries) {
      if (entry.at <= now) {
        this.entries.delete(key)
        entry.fire()
      } else if (earliest === undefined || entry.at < earliest) {
        earliest = entry.at
      }
    }
    return earliest
  }

  private readonly loop: Effect.Effect<never> = Effect.gen(this, function*() {
    while (true) {
      const now = this.clock.unsafeCurrentTimeMillis()
      const earliest = this.fireDue(now)
      this.wake = new Signal<void>()
      this.armedAt = earliest
      yield* earliest === undefined
        ? this.wake.await
        : Effect.raceFirst(this.clock.sleep(Duration.millis(earliest - now)), this.wake.await)
    }
  })
}
