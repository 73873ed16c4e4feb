/**
 * effect-ws-gateway (the root under the `node` and `bun` conditions): every export of the package, with the defaults built on the Node `ws` transport.
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
import { NodeTransportLive, nodeTransport } from "./platform/node/NodeTransport.js"
export * from "./shared.js"

/** The client on Node's `ws` transport; closing its scope closes every connection it opened. */
export const WebSocketClientLive: Layer.Layer<WebSocketClient, TransportUnavailable> = layerOn(nodeTransport)

/** The client on Node's `ws` transport with options (a host policy); a malformed policy fails the layer. */
export const WebSocketClientLiveWith: (
  options: WebSocketClientOptions
) => Layer.Layer<WebSocketClient, InvalidOption | TransportUnavailable> = clientWithOn(NodeTransportLive)

/** The gateway with the "websocket" interface on Node's `ws` transport. */
export const GatewayLive: Layer.Layer<Gateway> = gatewayOn(WebSocketClientLive)

/** The Home Assistant client on Node's `ws` transport; building it connects and authenticates once. */
export const HomeAssistantLive: (
  options: HomeAssistantOptions
) => Layer.Layer<HomeAssistant | WebSocketClient, HomeAssistantStartError | TransportUnavailable> = homeAssistantOn(
  WebSocketClientLive
)

/** The JSON-RPC 2.0 client on Node's `ws` transport, with WebSocket pings every 30 s (10 s to answer) unless `heartbeat` says otherwise; building it opens the first connection. */
export const JsonRpcLive: (
  options: JsonRpcOptions
) => Layer.Layer<JsonRpc | WebSocketClient, JsonRpcStartError | TransportUnavailable> = jsonRpcOn(WebSocketClientLive, { interval: "30 seconds", timeout: "10 seconds" })

/** Creates a Promise interface with its own runtime (default client: Node's `ws` transport); call `dispose` when done. */
export const createWebSocketInterface: CreateWebSocketInterface = interfaceOn(WebSocketClientLive)

const shared = sharedOn(createWebSocketInterface)

/** Runs one operation on the default Promise interface, created on first use. Never throws synchronously. */
export const executeWebSocketOperation = (operation: string, params?: unknown): Promise<unknown> =>
  shared.execute(operation, params)

/** Closes every connection of the default Promise interface and disposes it; the next call starts a new one. */
export const shutdownWebSocketInterface = (): Promise<void> => shared.shutdown()
