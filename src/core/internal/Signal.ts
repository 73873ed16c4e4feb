/**
 * A one-shot completion that fibers can await: a lightweight stand-in for `Deferred` on per-connection and
 * per-command paths. (A `Deferred` copies its whole prototype into every instance; on connect + close those copies
 * measured as most of the allocation and a tenth of the CPU.)
 */
import { Effect, type Exit } from "effect"

export class Signal<A, E = never> {
  private outcome: Exit.Exit<A, E> | undefined = undefined
  private waiters: Array<(exit: Exit.Exit<A, E>) => void> | undefined = undefined

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
    if (waiters !== undefined) for (const wake of waiters) wake(exit)
    return true
  }

  /** Runs `callback` once the signal completes (at once if it has), before the waiters it wakes resume. */
  onDone(callback: () => void): void {
    if (this.outcome !== undefined) return callback()
    ;(this.waiters ??= []).push(callback)
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
    return Effect.async<A, E>((resume) => {
      if (this.outcome !== undefined) return resume(this.outcome)
      ;(this.waiters ??= []).push(resume)
    })
  }

  /** `await`, running `onInterrupt` if the waiter is interrupted before the outcome. */
  awaitOr(onInterrupt: (() => void) | undefined): Effect.Effect<A, E> {
    const outcome = this.outcome
    if (outcome !== undefined) return outcome
    return Effect.async<A, E>((resume) => {
      if (this.outcome !== undefined) return resume(this.outcome)
      const wake = (exit: Exit.Exit<A, E>) => resume(exit)
      ;(this.waiters ??= []).push(wake)
      return Effect.sync(() => {
        const index = this.waiters?.indexOf(wake) ?? -1
        if (index >= 0) this.waiters?.splice(index, 1)
        onInterrupt?.()
      })
    })
  }
}
