/**
 * Spans only where someone can see them. With Effect's built-in tracer nothing observes a span, and creating one
 * per message (span object, clock reads, a fiber-ref update) cost more than the socket write itself in the
 * pipelined benchmark; so operations are wrapped in a span exactly when another tracer (OpenTelemetry, a test
 * tracer...) is installed.
 */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

/**
 * Effect's default tracer: nothing can observe its spans. Read from the default services rather than by running an
 * effect, so importing this package runs nothing (`sideEffects: false`).
 */
export const builtInTracer: Tracer.Tracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * `Effect.withSpan(name, { attributes })` when a tracer other than the built-in one is installed. Attributes are
 * computed only then.
 */
export const traced = (name: string, attributes: () => Record<string, unknown>) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    tracer === builtInTracer ? effect : Effect.withSpan(effect, name, { attributes: attributes(), captureStackTrace: false })
  )
