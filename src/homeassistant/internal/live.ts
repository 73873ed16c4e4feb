/**
 * A live value shared by every consumer: started by the first (an `RcRef`), released a grace period after the last,
 * its current value replayed to each new consumer. Like a `SubscriptionRef`, but bounded: a consumer that falls
 * behind gets the latest value, not a backlog (a sliding `PubSub` of one), so a slow dashboard costs one value.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as RcRef from "effect/RcRef"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

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
        const ref = yield* Ref.make<State<A, E>>({ _tag: "Pending" })
        const pubsub = yield* PubSub.sliding<State<A, E>>(1)
        const lock = yield* Effect.makeSemaphore(1)
        const set = (state: State<A, E>) => lock.withPermits(1)(Effect.zipRight(Ref.set(ref, state), PubSub.publish(pubsub, state)))
        yield* Effect.forkScoped(produce({
          publish: (value) => set({ _tag: "Ready", value }),
          fail: (error) => set({ _tag: "Failed", error }),
          hasValue: Effect.map(Ref.get(ref), (state) => state._tag === "Ready")
        }))
        // The current value and the subscription are taken together, so no value falls between them.
        const changes = Stream.unwrapScoped(lock.withPermits(1)(
          Effect.map(Effect.all([Ref.get(ref), PubSub.subscribe(pubsub)]), ([current, later]) =>
            Stream.concat(Stream.make(current), Stream.fromQueue(later)))
        ))
        return { changes }
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
