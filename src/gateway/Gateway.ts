/**
 * The gateway: routes `execute(interfaceName, operation, params)` to the interfaces it was given as Layers.
 * An interface that fails to build does not stop the gateway: its calls fail with `InterfaceUnavailable`.
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import { builtInTracer } from "../core/tracing.js"
import { InterfaceUnavailable } from "../interface/errors.js"
import { UnknownInterface } from "./errors.js"
import type { Dispatcher, InterfaceRegistration } from "./Registration.js"

/** Failures the gateway itself adds to those of the interface it routes to. */
export type GatewayError = UnknownInterface | InterfaceUnavailable

/** The gateway service. */
export class Gateway extends Context.Tag("effect-ws-gateway/Gateway")<
  Gateway,
  {
    /**
     * Routes one call. Each call that can be observed gets a correlation id: the span attribute
     * `gateway.correlation_id` when a tracer is installed, the log annotation `correlationId` on the logs of the
     * call (on all of them for an interface that may log, on the gateway's own failure log for a quiet one).
     */
    readonly execute: (
      interfaceName: string,
      operation: string,
      params?: unknown
    ) => Effect.Effect<unknown, unknown>
    /** The registered interface names, sorted, and whether each one loaded. */
    readonly interfaces: Effect.Effect<ReadonlyArray<{ readonly name: string; readonly available: boolean }>>
  }
>() {}

// Build failures are reported by kind and message only: a layer's error could quote its configuration.
const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (error instanceof Error) return error.message === "" ? error.name : error.message
  return String(error)
}

let nextCorrelation = 0

interface Route {
  readonly dispatcher: Dispatcher
  /** The interface emits no log records inside its calls, so they need no log annotations. */
  readonly quiet: boolean
}

/** Builds every registered interface in the gateway's scope, isolating the ones that fail. */
export const make = (registrations: ReadonlyArray<InterfaceRegistration>) =>
  Effect.gen(function*() {
    const routes = new Map<string, Either.Either<Route, InterfaceUnavailable>>()
    for (const registration of registrations) {
      const built = yield* Effect.exit(registration.build)
      routes.set(
        registration.name,
        built._tag === "Success"
          ? Either.right({ dispatcher: built.value, quiet: registration.quiet === true })
          : Either.left(new InterfaceUnavailable({ interfaceName: registration.name, reason: describeFailure(built.cause) }))
      )
      if (built._tag === "Failure") {
        yield* Effect.logWarning(`interface '${registration.name}' is unavailable`).pipe(
          Effect.annotateLogs("reason", describeFailure(built.cause))
        )
      }
    }
    const registered = [...routes.keys()].sort()

    // Per call, only what can be observed: a span when a tracer other than the built-in one is installed, the log
    // annotations when the interface may log and logging is on (a FiberRef write costs ~5 µs, more than the call it
    // wraps), the failure log when debug logs are on. Decided from the calling fiber's state, once per call.
    const execute = (interfaceName: string, operation: string, params?: unknown) =>
      Effect.withFiberRuntime<unknown, unknown>((fiber) => {
        const route = routes.get(interfaceName)
        const call: Effect.Effect<unknown, unknown> = route === undefined
          ? Effect.fail(new UnknownInterface({ interfaceName: String(interfaceName), registered }))
          : Either.isLeft(route)
          ? Effect.fail(route.left)
          : route.right.dispatcher.execute(operation, params)
        const traced = fiber.currentTracer !== builtInTracer
        const level = fiber.getFiberRef(FiberRef.currentMinimumLogLevel)
        const debug = level.ordinal <= LogLevel.Debug.ordinal
        const annotate = !(route !== undefined && Either.isRight(route) && route.right.quiet) &&
          level.ordinal < LogLevel.None.ordinal
        if (!traced && !debug && !annotate) return call
        const annotations = {
          correlationId: `gw-${++nextCorrelation}`,
          interface: String(interfaceName),
          operation: String(operation)
        }
        let observed = call
        if (debug) {
          observed = Effect.tapError(observed, (error) =>
            Effect.logDebug("gateway call failed").pipe(
              Effect.annotateLogs({ ...annotations, error: (error as { readonly _tag?: unknown })?._tag ?? "unknown" })
            ))
        }
        if (annotate) observed = Effect.annotateLogs(observed, annotations)
        if (traced) {
          observed = Effect.withSpan(observed, "Gateway.execute", {
            attributes: {
              "gateway.correlation_id": annotations.correlationId,
              "gateway.interface": annotations.interface,
              "gateway.operation": annotations.operation
            },
            captureStackTrace: false
          })
        }
        return observed
      })

    return Gateway.of({
      execute,
      interfaces: Effect.sync(() =>
        [...routes].map(([name, route]) => ({ name, available: Either.isRight(route) })).sort((a, b) =>
          a.name < b.name ? -1 : 1
        )
      )
    })
  })

/** A gateway over the given interface registrations. Building it never fails. */
export const layer = (registrations: ReadonlyArray<InterfaceRegistration>): Layer.Layer<Gateway> =>
  Layer.scoped(Gateway, make(registrations))
