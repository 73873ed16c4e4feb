/**
 * effect-ws-gateway: a WebSocket client for Effect applications.
 */
export type { Connection, ConnectionState } from "./core/Connection.js"
export * from "./core/errors.js"
export type { InboundMessage, JsonObject, OutboundMessage } from "./core/message.js"
export { NodeTransportLive } from "./core/NodeTransport.js"
export type {
  CloseOptions,
  ConnectOptions,
  HeartbeatOptions,
  ReceiveOptions,
  RequestOptions,
  SendOptions,
  TlsOptions
} from "./core/options.js"
export { WebSocketMetrics, type WebSocketStats } from "./core/Stats.js"
export {
  type TransportEvents,
  type TransportFailure,
  type TransportRequest,
  type TransportSocket,
  WebSocketTransport
} from "./core/Transport.js"
export { layer as WebSocketClientLayer, WebSocketClient, WebSocketClientLive } from "./core/WebSocketClient.js"
