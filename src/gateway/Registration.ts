/**
 * How interfaces are registered with the gateway: a name and the Layer that builds the interface.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/** What the gateway needs of an interface: one dispatch entry point. */
export interface Dispatcher {
  /** Runs `operation` with `params`; fails with the interface's own typed errors. */
  readonly execute: (operation: string, params?: unknown) => Effect.Effect<unknown, unknown>
}

/** An interface the gateway will build, under `name`, in its own scope. */
export interface InterfaceRegistration {
  readonly name: string
  /** Builds the interface; a failure (or defect) here makes only this interface unavailable. */
  readonly build: Effect.Effect<Dispatcher, unknown, Scope.Scope>
  /**
   * The interface emits no log records inside its calls. The gateway then skips annotating each call's logs (a
   * FiberRef write per call); its spans and its own failure log still carry the correlation id. Default: false.
   */
  readonly quiet?: boolean
}

/** Options of `registerInterface`. */
export interface RegistrationOptions {
  /** See `InterfaceRegistration.quiet`. */
  readonly quiet?: boolean
}

/** Registers the service `tag` built by `layer` as the interface `name`. */
export const registerInterface = <Id, S extends Dispatcher, E>(
  name: string,
  tag: Context.Tag<Id, S>,
  layer: Layer.Layer<Id, E>,
  options: RegistrationOptions = {}
): InterfaceRegistration => ({
  name,
  ...(options.quiet === undefined ? {} : { quiet: options.quiet }),
  build: Effect.map(Layer.build(layer), (context): Dispatcher => Context.get(context, tag))
})
