/**
 * The Promise adapter, for code that does not use Effect: the "websocket" interface through a gateway on a
 * `ManagedRuntime`. A rejected Promise carries the typed error itself (`instanceof`, `_tag`, `message`).
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Runtime from "effect/Runtime"
import type { WebSocketClient } from "../core/WebSocketClient.js"
import { Gateway } from "../gateway/Gateway.js"
import { websocketGateway } from "../gateway/websocket.js"
import { InterfaceUnavailable } from "../interface/errors.js"
import { WEBSOCKET_INTERFACE } from "../interface/WebSocketInterface.js"

/** Options of `createWebSocketInterface`. */
export interface WebSocketInterfaceOptions {
  /** The client to run on. Default: the platform's default client. Tests pass the in-memory one. */
  readonly client?: Layer.Layer<WebSocketClient, unknown>
}

/** `createWebSocketInterface` with its default client bound: one per platform entry. */
export type CreateWebSocketInterface = (options?: WebSocketInterfaceOptions) => PromiseWebSocketInterface

/** A WebSocket interface with an explicit lifetime. */
export interface PromiseWebSocketInterface {
  /** Runs one operation. Never throws synchronously; rejects with the typed error. */
  readonly execute: (operation: string, params?: unknown) => Promise<unknown>
  /** Closes every connection opened through this interface and releases its runtime. Idempotent. */
  readonly dispose: () => Promise<void>
}

const toRejection = (cause: Cause.Cause<unknown>): unknown => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error : new Error(String(error))
}

/** Binds `createWebSocketInterface` to a default client: each interface it creates has its own runtime. */
export const interfaceFactory = (defaultClient: Layer.Layer<WebSocketClient, unknown>): CreateWebSocketInterface =>
(options = {}) => {
  const runtime = ManagedRuntime.make(websocketGateway(options.client ?? defaultClient))
  let disposed: Promise<void> | undefined
  // The gateway service, once the first call has built the runtime: later calls skip the context lookup.
  let gateway: Context.Tag.Service<Gateway> | undefined
  let runtimeReady: Runtime.Runtime<Gateway> | undefined

  const settle = (exit: Exit.Exit<unknown, unknown>): Promise<unknown> =>
    Exit.isSuccess(exit) ? Promise.resolve(exit.value) : Promise.reject(toRejection(exit.cause))

  const execute = (operation: string, params?: unknown): Promise<unknown> => {
    if (disposed !== undefined) {
      return Promise.reject(
        new InterfaceUnavailable({ interfaceName: WEBSOCKET_INTERFACE, reason: "the interface was disposed" })
      )
    }
    try {
      if (gateway !== undefined && runtimeReady !== undefined) {
        // One fiber per call, started at once; its exit settles the Promise (no second `then` hop).
        const fiber = Runtime.runFork(runtimeReady, gateway.execute(WEBSOCKET_INTERFACE, operation, params))
        const done = fiber.unsafePoll()
        if (done !== null) return settle(done)
        return new Promise((resolve, reject) =>
          fiber.addObserver((exit) => Exit.isSuccess(exit) ? resolve(exit.value) : reject(toRejection(exit.cause)))
        )
      }
      const first = Effect.flatMap(Gateway, (service) =>
        Effect.flatMap(Effect.runtime<Gateway>(), (current) => {
          gateway = service
          runtimeReady = current
          return service.execute(WEBSOCKET_INTERFACE, operation, params)
        }))
      return runtime.runPromiseExit(first).then(settle)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  const dispose = (): Promise<void> => {
    disposed ??= runtime.dispose()
    return disposed
  }

  return { execute, dispose }
}

/** The default interface of `executeWebSocketOperation`, created on first use, and its shutdown. */
export interface SharedInterface {
  /** Runs one operation on the default interface, created on first use. */
  readonly execute: (operation: string, params?: unknown) => Promise<unknown>
  /** Closes every connection of the default interface and disposes it; the next call starts a new one. */
  readonly shutdown: () => Promise<void>
}

/** One lazily created default interface made by `create`. */
export const sharedInterface = (create: CreateWebSocketInterface): SharedInterface => {
  let shared: PromiseWebSocketInterface | undefined
  return {
    execute: (operation, params) => {
      shared ??= create()
      return shared.execute(operation, params)
    },
    shutdown: async () => {
      const current = shared
      shared = undefined
      if (current !== undefined) await current.dispose()
    }
  }
}
