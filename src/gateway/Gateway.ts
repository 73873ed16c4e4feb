/**
 * The gateway: routes `execute(interfaceName, operation, params)` to the interfaces it was given as Layers.
 * An interface that fails to build does not stop the gateway: its calls fail with `InterfaceUnavailable`.
 */
import { Cause, Context, Effect, Either, Layer } from "effect"
import { traced } from "../core/tracing.js"
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
     * Routes one call. Each call gets a correlation id, set as the span attribute `gateway.correlation_id` and
     * the log annotation `correlationId`.
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

/** Builds every registered interface in the gateway's scope, isolating the ones that fail. */
export const make = (registrations: ReadonlyArray<InterfaceRegistration>) =>
  Effect.gen(function*() {
    const routes = new Map<string, Either.Either<Dispatcher, InterfaceUnavailable>>()
    for (const registration of registrations) {
      const built = yield* Effect.exit(registration.build)
      routes.set(
        registration.name,
        built._tag === "Success"
          ? Either.right(built.value)
          : Either.left(new InterfaceUnavailable({ interfaceName: registration.name, reason: describeFailure(built.cause) }))
      )
      if (built._tag === "Failure") {
        yield* Effect.logWarning(`interface '${registration.name}' is unavailable`).pipe(
          Effect.annotateLogs("reason", describeFailure(built.cause))
        )
      }
    }
    const registered = [...routes.keys()].sort()

    const execute = (interfaceName: string, operation: string, params?: unknown) => {
      const correlationId = `gw-${++nextCorrelation}`
      const route = routes.get(interfaceName)
      const call: Effect.Effect<unknown, unknown> = route === undefined
        ? Effect.fail(new UnknownInterface({ interfaceName: String(interfaceName), registered }))
        : Either.isLeft(route)
        ? Effect.fail(route.left)
        : route.right.execute(operation, params)
      return call.pipe(
        Effect.tapError((error) =>
          Effect.logDebug("gateway call failed").pipe(
            Effect.annotateLogs("error", (error as { readonly _tag?: unknown })?._tag ?? "unknown")
          )
        ),
        Effect.annotateLogs({ correlationId, interface: String(interfaceName), operation: String(operation) }),
        traced("Gateway.execute", () => ({
          "gateway.correlation_id": correlationId,
          "gateway.interface": String(interfaceName),
          "gateway.operation": String(operation)
        }))
      )
    }

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
