/**
 * A live value shared by every consumer: started by the first (an `RcRef`), released a grace period after the last,
 * its current value replayed to each new consumer (a `SubscriptionRef`'s `changes`).
 */
import { type Duration, Effect, RcRef, type Scope, Stream, SubscriptionRef } from "effect"

type State<A, E> =
  | { readonly _tag: "Pending" }
  | { readonly _tag: "Ready"; readonly value: A }
  | { readonly _tag: "Failed"; readonly error: E }

/** What a live value's producer may do: publish a value, or end every consumer with an error. */
export interface Publisher<A, E> {
  readonly publish: (value: A) => Effect.Effect<void>
  readonly fail: (error: E) => Effect.Effect<void>
  /** Whether a value was published yet. */
  readonly hasValue: Effect.Effect<boolean>
}

/**
 * `produce` runs (in the shared value's scope) from the first consumer on; the Stream gives each consumer the
 * current value, then every published one, and fails with what `fail` was given.
 */
export const sharedLive = <A, E>(
  produce: (publisher: Publisher<A, E>) => Effect.Effect<void, never, Scope.Scope>,
  gracePeriod: Duration.DurationInput
): Effect.Effect<Stream.Stream<A, E>, never, Scope.Scope> =>
  Effect.map(
    RcRef.make({
      acquire: Effect.gen(function*() {
        const ref = yield* SubscriptionRef.make<State<A, E>>({ _tag: "Pending" })
        yield* Effect.forkScoped(produce({
          publish: (value) => SubscriptionRef.set(ref, { _tag: "Ready", value }),
          fail: (error) => SubscriptionRef.set(ref, { _tag: "Failed", error }),
          hasValue: Effect.map(SubscriptionRef.get(ref), (state) => state._tag === "Ready")
        }))
        return ref
      }),
      idleTimeToLive: gracePeriod
    }),
    (shared) =>
      Stream.unwrapScoped(Effect.map(RcRef.get(shared), (ref) =>
        ref.changes.pipe(
          Stream.filter((state): state is Exclude<State<A, E>, { _tag: "Pending" }> => state._tag !== "Pending"),
          Stream.mapEffect((state): Effect.Effect<A, E> => state._tag === "Failed" ? Effect.fail(state.error) : Effect.succeed(state.value))
        )))
  )
