/**
 * effect-ws-gateway/web (also the root under the `browser`, `deno` and `worker` conditions, and the fallback): every export of the package, with the defaults built on the runtime's global WHATWG `WebSocket`.
 */
import type * as Layer from "effect/Layer"
import type { CreateWebSocketInterface } from "./adapter/promise.js"
import type { InvalidOption, TransportUnavailable } from "./core/errors.js"
import type { WebSocketClient, WebSocketClientOptions } from "./core/WebSocketClient.js"
import { clientWithOn, gatewayOn, homeAssistantOn, interfaceOn, jsonRpcOn, sharedOn } from "./defaults.js"
import type { Gateway } from "./gateway/Gateway.js"
import type { HomeAssistant, HomeAssistantOptions, HomeAssistantStartError } from "./homeassistant/HomeAssistant.js"
import type { JsonRpc, JsonRpcOptions, JsonRpcStartError } from "./jsonrpc/JsonRpc.js"
import { layerOn } from "./core/WebSocketClient.js"
import { GlobalWebSocketTransportLive, globalWebSocketTransport } from "./platform/web/WebSocketConstructorTransport.js"
export * from "./shared.js"

/** The client on the global `WebSocket`; closing its scope closes every connection it opened. */
export const WebSocketClientLive: Layer.Layer<WebSocketClient, TransportUnavailable> = layerOn(globalWebSocketTransport)

/** The client on the global `WebSocket` with options (a host policy); a malformed policy fails the layer. */
export const WebSocketClientLiveWith: (
  options: WebSocketClientOptions
) => Layer.Layer<WebSocketClient, InvalidOption | TransportUnavailable> = clientWithOn(GlobalWebSocketTransportLive)

/** The gateway with the "websocket" interface on the global `WebSocket`. */
export const GatewayLive: Layer.Layer<Gateway> = gatewayOn(WebSocketClientLive)

/** The Home Assistant client on the global `WebSocket`; building it connects and authenticates once. */
export const HomeAssistantLive: (
  options: HomeAssistantOptions
) => Layer.Layer<HomeAssistant | WebSocketClient, HomeAssistantStartError | TransportUnavailable> = homeAssistantOn(
  WebSocketClientLive
)

/** The JSON-RPC 2.0 client on the global `WebSocket`, which cannot send pings: no keep-alive unless `heartbeat: { method }` names a call; building it opens the first connection. */
export const JsonRpcLive: (
  options: JsonRpcOptions
) => Layer.Layer<JsonRpc | WebSocketClient, JsonRpcStartError | TransportUnavailable> = jsonRpcOn(WebSocketClientLive, undefined)

/** Creates a Promise interface with its own runtime (default client: the global `WebSocket`); call `dispose` when done. */
export const createWebSocketInterface: CreateWebSocketInterface = interfaceOn(WebSocketClientLive)

const shared = sharedOn(createWebSocketInterface)

/** Runs one operation on the default Promise interface, created on first use. Never throws synchronously. */
export const executeWebSocketOperation = (operation: string, params?: unknown): Promise<unknown> =>
  shared.execute(operation, params)

/** Closes every connection of the default Promise interface and disposes it; the next call starts a new one. */
export const shutdownWebSocketInterface = (): Promise<void> => shared.shutdown()
