/**
 * The defaults each entry builds on its platform's transport: the same names and types everywhere, so a program
 * written against `effect-ws-gateway` runs unchanged on Node and in a browser. Each is its own pure call, so a
 * bundler drops the ones a program does not use (and the gateway, interface and adapter with them).
 */
import type * as Layer from "effect/Layer"
import { interfaceFactory, type CreateWebSocketInterface, type SharedInterface, sharedInterface } from "./adapter/promise.js"
import type { InvalidOption, TransportUnavailable } from "./core/errors.js"
import type { WebSocketTransport } from "./core/Transport.js"
import { layer, layerWith, type WebSocketClient, type WebSocketClientOptions } from "./core/WebSocketClient.js"
import type { Gateway } from "./gateway/Gateway.js"
import { websocketGateway } from "./gateway/websocket.js"
import {
  type HomeAssistant,
  type HomeAssistantOptions,
  type HomeAssistantStartError,
  layer as homeAssistantLayer
} from "./homeassistant/HomeAssistant.js"
import {
  type DefaultHeartbeat,
  type JsonRpc,
  type JsonRpcOptions,
  type JsonRpcStartError,
  layer as jsonRpcLayer
} from "./jsonrpc/JsonRpc.js"
import * as L from "effect/Layer"

/** The client layer on `transport`. */
export const clientOn = (
  transport: Layer.Layer<WebSocketTransport, TransportUnavailable>
): Layer.Layer<WebSocketClient, TransportUnavailable> => L.provide(layer, transport)

/** The client layer with options (a host policy) on `transport`. */
export const clientWithOn = (transport: Layer.Layer<WebSocketTransport, TransportUnavailable>) =>
(options: WebSocketClientOptions): Layer.Layer<WebSocketClient, InvalidOption | TransportUnavailable> =>
  L.provide(layerWith(options), transport)

/** The gateway with the "websocket" interface over `client`. */
export const gatewayOn = (client: Layer.Layer<WebSocketClient, TransportUnavailable>): Layer.Layer<Gateway> =>
  websocketGateway(client)

/** The Home Assistant client over `client`, which it also provides. */
export const homeAssistantOn = (client: Layer.Layer<WebSocketClient, TransportUnavailable>) =>
(
  options: HomeAssistantOptions
): Layer.Layer<HomeAssistant | WebSocketClient, HomeAssistantStartError | TransportUnavailable> =>
  homeAssistantLayer(options).pipe(L.provideMerge(client))

/** The JSON-RPC client over `client`, which it also provides; `heartbeat` is the entry's default keep-alive. */
export const jsonRpcOn = (client: Layer.Layer<WebSocketClient, TransportUnavailable>, heartbeat: DefaultHeartbeat) =>
(
  options: JsonRpcOptions
): Layer.Layer<JsonRpc | WebSocketClient, JsonRpcStartError | TransportUnavailable> =>
  jsonRpcLayer(options, heartbeat).pipe(L.provideMerge(client))

/** `createWebSocketInterface` over `client`. */
export const interfaceOn = (client: Layer.Layer<WebSocketClient, TransportUnavailable>): CreateWebSocketInterface =>
  interfaceFactory(client)

/** The default interface of `executeWebSocketOperation`. */
export const sharedOn = (create: CreateWebSocketInterface): SharedInterface => sharedInterface(create)
