/**
 * Command deadlines on the Effect clock with one timer fiber for the whole client, instead of a timeout race per
 * command: racing a sleep forks two fibers per command, which measured as the largest cost of a `call_service`
 * round trip. Entries are removed when their command completes; the fiber sleeps until the earliest deadline.
 */
import { Clock, Deferred, Effect, Exit, FiberId } from "effect"

interface Entry {
  readonly at: number
  readonly fire: () => void
}

export class Deadlines {
  private readonly entries = new Map<number, Entry>()
  private nextKey = 0
  private armedAt: number | undefined = undefined
  private wake = Deferred.unsafeMake<void>(FiberId.none)

  /** Calls `fire` at `at` (Effect-clock milliseconds) unless `remove` comes first. */
  add(at: number, fire: () => void): number {
    const key = ++this.nextKey
    this.entries.set(key, { at, fire })
    if (this.armedAt === undefined || at < this.armedAt) Deferred.unsafeDone(this.wake, Exit.void)
    return key
  }

  remove(key: number): void {
    this.entries.delete(key)
  }

  /** The timer loop; run it forked in the client's scope. */
  readonly run: Effect.Effect<never> = Effect.gen(this, function*() {
    while (true) {
      const now = yield* Clock.currentTimeMillis
      let earliest: number | undefined
      for (const [key, entry] of this.entries) {
        if (entry.at <= now) {
          this.entries.delete(key)
          entry.fire()
        } else if (earliest === undefined || entry.at < earliest) {
          earliest = entry.at
        }
      }
      this.wake = Deferred.unsafeMake<void>(FiberId.none)
      this.armedAt = earliest
      yield* earliest === undefined
        ? Deferred.await(this.wake)
        : Effect.raceFirst(Effect.sleep(earliest - now), Deferred.await(this.wake))
    }
  })
}
