/**
 * INT-07: the WebSocket interface. One dispatch entry point, `execute(operation, params)`, over seven
 * Schema-validated operations, plus a typed method per operation. Connections opened through it belong to the
 * interface Layer's scope.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import type { Connection } from "../core/Connection.js"
import type { WebSocketError } from "../core/errors.js"
import type { InboundMessage } from "../core/message.js"
import { WebSocketClient } from "../core/WebSocketClient.js"
import { ConnectionHandle } from "./ConnectionHandle.js"
import { type DispatchError, ParameterTypeError, UnknownOperation } from "./errors.js"
import { paramsDecoder } from "./internal/decode.js"
import { expectedParameter, type OperationName, OperationParams } from "./schemas.js"

/** The interface's name in messages and in the gateway registry. */
export const WEBSOCKET_INTERFACE = "websocket"

/** `get_stats` in the existing callers' snake_case contract. */
export interface InterfaceStats {
  readonly connections_opened: number
  readonly connections_closed: number
  readonly messages_sent: number
  readonly messages_received: number
  readonly errors: number
  readonly active_connections: number
}

/** Every way an interface call can fail: a dispatch error, or a core error passed through unchanged. */
export type InterfaceError = DispatchError | WebSocketError

/** One operation as a typed method: the same schema validation as `execute`. */
export type InterfaceCall<A> = (params?: unknown) => Effect.Effect<A, InterfaceError>

/** The WebSocket interface service. */
export class WebSocketInterface extends Context.Tag("effect-ws-gateway/WebSocketInterface")<
  WebSocketInterface,
  {
    /** Runs `operation` with `params`; unknown operations and bad parameters are typed errors, never defects. */
    readonly execute: (operation: string, params?: unknown) => Effect.Effect<unknown, InterfaceError>
    readonly connect: InterfaceCall<ConnectionHandle>
    readonly send: InterfaceCall<true>
    readonly receive: InterfaceCall<InboundMessage>
    readonly close: InterfaceCall<true>
    readonly request: InterfaceCall<InboundMessage>
    readonly get_stats: InterfaceCall<InterfaceStats>
    readonly reset: InterfaceCall<true>
  }
>() {}

/** Builds the interface over the context's client; closing the layer's scope closes its connections. */
export const make = Effect.gen(function*() {
  const client = yield* WebSocketClient
  const layerScope = yield* Effect.scope
  // Each connection gets its own scope under this one. It closes them in parallel: releasing the interface then
  // takes one close handshake in all, not one per connection (up to `closeTimeout` each for silent peers).
  const connectionsScope = yield* Scope.fork(layerScope, ExecutionStrategy.parallel)
  const issued = new WeakMap<ConnectionHandle, Connection>()
  const open = new Map<ConnectionHandle, Scope.CloseableScope>()

  const release = (handle: ConnectionHandle) =>
    Effect.suspend(() => {
      const scope = open.get(handle)
      open.delete(handle)
      return scope === undefined ? Effect.void : Scope.close(scope, Exit.void)
    })

  // A handle this interface did not issue (or a forged one) is a typed error, like any other bad parameter.
  const withConnection = <A>(
    operation: string,
    handle: ConnectionHandle,
    use: (connection: Connection) => Effect.Effect<A, InterfaceError>
  ): Effect.Effect<A, InterfaceError> => {
    const connection = issued.get(handle)
    return connection === undefined
      ? Effect.fail(
        new ParameterTypeError({ operation, parameter: "connection", expected: expectedParameter.connection ?? "" })
      )
      : use(connection)
  }

  // Each operation: its schema, then the core call. Built once; looked up by name.
  const operation = <O extends OperationName, A>(
    name: O,
    run: (params: (typeof OperationParams)[O]["Type"], qualified: string) => Effect.Effect<A, InterfaceError>
  ): InterfaceCall<A> => {
    const qualified = `${WEBSOCKET_INTERFACE}.${name}`
    const decode = paramsDecoder(OperationParams[name] as unknown as Schema.Schema<(typeof OperationParams)[O]["Type"]>, qualified)
    return (params) => {
      const decoded = decode(params)
      return Either.isRight(decoded) ? run(decoded.right, qualified) : Effect.fail(decoded.left)
    }
  }

  const table = {
    connect: operation("connect", ({ headers, timeout, url }) =>
      Effect.gen(function*() {
        const scope = yield* Scope.fork(connectionsScope, ExecutionStrategy.sequential)
        const connection = yield* client.connect({ url, ...(headers === undefined ? {} : { headers }), ...withTimeout(timeout) })
          .pipe(Scope.extend(scope), Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))))
        const handle = new ConnectionHandle(connection.url)
        issued.set(handle, connection)
        open.set(handle, scope)
        // A connection the peer ended is released at once; its handle still drains what it had buffered.
        yield* Effect.forkIn(Effect.zipRight(connection.closed, release(handle)), layerScope)
        return handle
      })),
    send: operation("send", ({ connection, message, timeout }, name) =>
      withConnection(name, connection, (c) => Effect.as(client.send(c, message as never, withTimeout(timeout)), true as const))),
    receive: operation("receive", ({ connection, timeout }, name) =>
      withConnection(name, connection, (c) => client.receive(c, withTimeout(timeout)))),
    close: operation("close", ({ code, connection, reason }, name) =>
      withConnection(name, connection, (c) =>
        client.close(c, { ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) }).pipe(
          Effect.ensuring(release(connection)),
          Effect.as(true as const)
        ))),
    request: operation("request", ({ headers, message, timeout, url }) =>
      client.request({ url, message, ...(headers === undefined ? {} : { headers }), ...withTimeout(timeout) })),
    get_stats: operation("get_stats", () =>
      Effect.map(client.getStats, (stats): InterfaceStats => ({
        connections_opened: stats.connectionsOpened,
        connections_closed: stats.connectionsClosed,
        messages_sent: stats.messagesSent,
        messages_received: stats.messagesReceived,
        errors: stats.errors,
        active_connections: stats.activeConnections
      }))),
    reset: operation("reset", () =>
      Effect.gen(function*() {
        yield* client.reset
        yield* Effect.forEach([...open.keys()], release, { discard: true })
        return true as const
      }))
  } satisfies Record<OperationName, InterfaceCall<unknown>>

  const valid = Object.keys(table).sort()
  const execute = (name: string, params?: unknown): Effect.Effect<unknown, InterfaceError> =>
    Object.hasOwn(table, name)
      ? table[name as OperationName](params)
      : Effect.fail(new UnknownOperation({ interfaceName: WEBSOCKET_INTERFACE, operation: String(name), valid }))

  return WebSocketInterface.of({ execute, ...table })
})

/** The interface's seconds as the core's `timeout` option; absent stays absent. */
const withTimeout = (seconds: number | undefined): { readonly timeout?: Duration.Duration } =>
  seconds === undefined ? noTimeout : { timeout: Duration.millis(seconds * 1000) }

const noTimeout = {}

/** The interface over a `WebSocketClient`; releasing it closes every connection still open through it. */
export const WebSocketInterfaceLive: Layer.Layer<WebSocketInterface, never, WebSocketClient> = Layer.scoped(
  WebSocketInterface,
  make
)
