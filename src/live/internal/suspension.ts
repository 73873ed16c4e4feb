/**
 * Suspend and resume (HAWS `suspendReconnectUntil`): a suspended client closes its socket cleanly and does not
 * reconnect until resumed; commands issued meanwhile wait for the next session, bounded by their own timeouts.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type { Link } from "./link.js"

export class Suspension {
  private held: { readonly resumed: Deferred.Deferred<void>; readonly closed: Deferred.Deferred<void> } | undefined

  get isSuspended(): boolean {
    return this.held !== undefined
  }

  /** Suspends: ends the live session, if any, and returns once its socket is closed. Idempotent. */
  suspend(link: Link<{ readonly isAlive: boolean; readonly end: () => void }>): Effect.Effect<void> {
    return Effect.gen(this, function*() {
      if (this.held !== undefined || link.isClosed) return
      const held = { resumed: yield* Deferred.make<void>(), closed: yield* Deferred.make<void>() }
      this.held = held
      const session = link.current
      yield* link.waiting("suspended")
      if (session === undefined) yield* Deferred.succeed(held.closed, undefined)
      else session.end()
      yield* Deferred.await(held.closed)
    })
  }

  /** Lets the supervisor reconnect. Idempotent. */
  readonly resume: Effect.Effect<void> = Effect.suspend(() =>
    this.held === undefined ? Effect.void : Effect.asVoid(Deferred.succeed(this.held.resumed, undefined))
  )

  /** Run by the supervisor after it closed a session: while suspended, says so and waits for `resume`. */
  readonly hold: Effect.Effect<void> = Effect.suspend(() => {
    const held = this.held
    if (held === undefined) return Effect.void
    return Deferred.succeed(held.closed, undefined).pipe(
      Effect.zipRight(Deferred.await(held.resumed)),
      Effect.zipRight(Effect.sync(() => {
        this.held = undefined
      }))
    )
  })
}
