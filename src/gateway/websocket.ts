/**
 * The "websocket" interface in the gateway: its registration and typed wrappers that call through the gateway.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { InboundMessage } from "../core/message.js"
import type { WebSocketClient } from "../core/WebSocketClient.js"
import type { ConnectionHandle } from "../interface/ConnectionHandle.js"
import {
  type InterfaceError,
  type InterfaceStats,
  WEBSOCKET_INTERFACE,
  WebSocketInterface,
  WebSocketInterfaceLive
} from "../interface/WebSocketInterface.js"
import type { OperationName, OperationParams } from "../interface/schemas.js"
import { Gateway, type GatewayError, layer as gatewayLayer } from "./Gateway.js"
import { type InterfaceRegistration, registerInterface, type RegistrationOptions } from "./Registration.js"

/**
 * Registers the WebSocket interface over `client`; a client that fails to build fails only this interface. The
 * interface and this package's clients never log inside a call, so the registration is `quiet` unless told
 * otherwise (pass `quiet: false` for a client whose transport logs, to get the correlation id on those logs).
 */
export const websocketRegistration = <E>(
  client: Layer.Layer<WebSocketClient, E>,
  options: RegistrationOptions = {}
): InterfaceRegistration =>
  registerInterface(WEBSOCKET_INTERFACE, WebSocketInterface, WebSocketInterfaceLive.pipe(Layer.provide(client)), {
    quiet: options.quiet ?? true
  })

/** A gateway with the "websocket" interface over `client` (the platform's default client in `GatewayLive`). */
export const websocketGateway = <E>(client: Layer.Layer<WebSocketClient, E>): Layer.Layer<Gateway> =>
  gatewayLayer([websocketRegistration(client)])

/** What each `websocket*` wrapper returns: the interface's result, on the gateway. */
export type WebSocketCall<A> = Effect.Effect<A, GatewayError | InterfaceError, Gateway>

// The "websocket" route is the WebSocketInterface, so its results and errors have that interface's types.
const call = <A>(operation: string, params?: object): WebSocketCall<A> =>
  Effect.flatMap(Gateway, (gateway) => gateway.execute(WEBSOCKET_INTERFACE, operation, params)) as WebSocketCall<A>

/** The parameters of `operation` as a caller writes them (the operation's schema's encoded side). */
type Params<O extends OperationName> = (typeof OperationParams)[O]["Encoded"]

/** `websocket.connect` through the gateway. */
export const websocketConnect = (params: Params<"connect">): WebSocketCall<ConnectionHandle> => call("connect", params)

/** `websocket.send` through the gateway. */
export const websocketSend = (params: Params<"send">): WebSocketCall<true> => call("send", params)

/** `websocket.receive` through the gateway. */
export const websocketReceive = (params: Params<"receive">): WebSocketCall<InboundMessage> => call("receive", params)

/** `websocket.close` through the gateway. */
export const websocketClose = (params: Params<"close">): WebSocketCall<true> => call("close", params)

/** `websocket.request` through the gateway. */
export const websocketRequest = (params: Params<"request">): WebSocketCall<InboundMessage> => call("request", params)

/** `websocket.get_stats` through the gateway. */
export const websocketGetStats = (): WebSocketCall<InterfaceStats> => call("get_stats")

/** `websocket.reset` through the gateway. */
export const websocketReset = (): WebSocketCall<true> => call("reset")
