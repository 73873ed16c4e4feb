/**
 * A one-shot completion that fibers can await: a lightweight stand-in for `Deferred` on per-connection and
 * per-command paths. (A `Deferred` copies its whole prototype into every instance; on connect + close those copies
 * measured as most of the allocation and a tenth of the CPU.)
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"

type Wake<A, E> = (exit: Exit.Exit<A, E>) => void

/** A one-shot completion: completed once, awaited by any number of fibers or callbacks; public so protocol layers can wake callers without a `Deferred`. */
export class Signal<A, E = never> {
  private outcome: Exit.Exit<A, E> | undefined = undefined
  // One waiter is held as itself (a command's result has exactly one): no array per signal on the hot path.
  private waiters: Wake<A, E> | Array<Wake<A, E>> | undefined = undefined

  private addWaiter(wake: Wake<A, E>): void {
    const waiters = this.waiters
    if (waiters === undefined) this.waiters = wake
    else if (typeof waiters === "function") this.waiters = [waiters, wake]
    else waiters.push(wake)
  }

  private removeWaiter(wake: Wake<A, E>): void {
    const waiters = this.waiters
    if (waiters === wake) this.waiters = undefined
    else if (Array.isArray(waiters)) {
      const index = waiters.indexOf(wake)
      if (index >= 0) waiters.splice(index, 1)
    }
  }

  get isDone(): boolean {
    return this.outcome !== undefined
  }

  /** The outcome, once the signal has completed. */
  get exit(): Exit.Exit<A, E> | undefined {
    return this.outcome
  }

  /** Completes the signal once; later calls are ignored. Returns whether this call completed it. */
  done(exit: Exit.Exit<A, E>): boolean {
    if (this.outcome !== undefined) return false
    this.outcome = exit
    const waiters = this.waiters
    this.waiters = undefined
    if (typeof waiters === "function") waiters(exit)
    else if (waiters !== undefined) for (const wake of waiters) wake(exit)
    return true
  }

  /** Runs `callback` once the signal completes (at once if it has), before the waiters it wakes resume. */
  onDone(callback: () => void): void {
    if (this.outcome !== undefined) return callback()
    this.addWaiter(callback)
  }

  /**
   * Calls `wake` with the outcome when the signal completes (at once if it has), in turn with the other waiters. It
   * is never removed: it is meant for an `Effect.async` resume, which Effect ignores once its fiber has moved on.
   */
  wake(wake: Wake<A, E>): void {
    if (this.outcome !== undefined) return wake(this.outcome)
    this.addWaiter(wake)
  }

  /** Waits for the outcome; an interrupted waiter leaves nothing behind. */
  get await(): Effect.Effect<A, E> {
    return this.awaitOr(undefined)
  }

  /**
   * `await` without interruption cleanup, for waits that end on their own soon (a result bounded by its deadline):
   * an interrupted waiter's wake-up stays registered until the outcome, and is then ignored by Effect. Saves the
   * interruption finalizer Effect wraps around every cancellable wait.
   */
  get awaitUncancellable(): Effect.Effect<A, E> {
    const outcome = this.outcome
    if (outcome !== undefined) return outcome
    return Effect.async<A, E>((resume) => this.wake(resume))
  }

  /** `await`, running `onInterrupt` if the waiter is interrupted before the outcome. */
  awaitOr(onInterrupt: (() => void) | undefined): Effect.Effect<A, E> {
    const outcome = this.outcome
    if (outcome !== undefined) return outcome
    return Effect.async<A, E>((resume) => {
      if (this.outcome !== undefined) return resume(this.outcome)
      const wake: Wake<A, E> = (exit) => resume(exit)
      this.addWaiter(wake)
      return Effect.sync(() => {
        this.removeWaiter(wake)
        onInterrupt?.()
      })
    })
  }
}
