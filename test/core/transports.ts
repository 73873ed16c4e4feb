/**
 * The real-socket transports the core suites run on: Node's ws transport, and the web transport over two
 * WebSocket constructors. Node's global WebSocket exists on Node 22, and on Node 20 only with
 * --experimental-websocket: the "global-websocket" vitest project runs these suites with that flag, on it alone.
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Socket from "@effect/platform/Socket"
import { Layer } from "effect"
import { type TransportUnavailable, type WebSocketClient, WebSocketClientLayer, WebSocketClientLive, WebSocketConstructorTransport } from "../../src/index.js"

/** A transport the suites run on, and whether it is the web one (which refuses what the WHATWG API cannot do). */
export interface RealTransport {
  readonly name: string
  readonly web: boolean
  readonly client: Layer.Layer<WebSocketClient, TransportUnavailable>
}

const webClient = (constructor: Layer.Layer<Socket.WebSocketConstructor>) =>
  WebSocketClientLayer.pipe(Layer.provide(WebSocketConstructorTransport), Layer.provide(constructor))

const hasGlobalWebSocket = typeof (globalThis as { readonly WebSocket?: unknown }).WebSocket === "function"

export const realTransports: ReadonlyArray<RealTransport> = hasGlobalWebSocket
  ? [{ name: "web transport on Node's global WebSocket", web: true, client: webClient(Socket.layerWebSocketConstructorGlobal) }]
  : [
    { name: "Node ws transport", web: false, client: WebSocketClientLive },
    { name: "web transport on ws (NodeSocket.layerWebSocketConstructor)", web: true, client: webClient(NodeSocket.layerWebSocketConstructor) }
  ]
