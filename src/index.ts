/**
 * effect-ws-gateway: a WebSocket client for Effect applications.
 */
export type { Connection, ConnectionState } from "./core/Connection.js"
export * from "./core/errors.js"
export type { Frame, InboundMessage, JsonObject, OutboundMessage } from "./core/message.js"
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
  type WriteStart,
  WebSocketTransport
} from "./core/Transport.js"
export { layer as WebSocketClientLayer, WebSocketClient, WebSocketClientLive } from "./core/WebSocketClient.js"

// Interface INT-07: one dispatch entry point over seven validated operations.
export { ConnectionHandle } from "./interface/ConnectionHandle.js"
export {
  type DispatchError,
  InterfaceUnavailable,
  InvalidParameter,
  ParameterTypeError,
  UnknownOperation
} from "./interface/errors.js"
export { type OperationName, OperationParams } from "./interface/schemas.js"
export {
  type InterfaceCall,
  type InterfaceError,
  type InterfaceStats,
  WEBSOCKET_INTERFACE,
  WebSocketInterface,
  WebSocketInterfaceLive
} from "./interface/WebSocketInterface.js"

// Gateway: routes calls to interfaces registered as Layers.
export { UnknownInterface } from "./gateway/errors.js"
export { Gateway, type GatewayError, layer as GatewayLayer } from "./gateway/Gateway.js"
export { type Dispatcher, type InterfaceRegistration, registerInterface } from "./gateway/Registration.js"
export {
  GatewayLive,
  websocketClose,
  websocketConnect,
  websocketGateway,
  websocketGetStats,
  websocketReceive,
  websocketRegistration,
  websocketRequest,
  websocketReset,
  websocketSend,
  type WebSocketCall
} from "./gateway/websocket.js"

// Promise adapter, for code without Effect.
export {
  createWebSocketInterface,
  executeWebSocketOperation,
  type PromiseWebSocketInterface,
  shutdownWebSocketInterface,
  type WebSocketInterfaceOptions
} from "./adapter/promise.js"

// Home Assistant client.
export * from "./homeassistant/errors.js"
export {
  type CommandOptions,
  type ConnectionState as HomeAssistantConnectionState,
  defaultReconnectSchedule,
  HomeAssistant,
  layer as HomeAssistantLayer,
  layerLive as HomeAssistantLive,
  type HomeAssistantOptions,
  type HomeAssistantStartError
} from "./homeassistant/HomeAssistant.js"
export type {
  CallServiceResult,
  CommandMessage,
  ErrorPayload,
  HassContext,
  HassEntity,
  HassEvent,
  ServiceTarget
} from "./homeassistant/messages.js"
export { isLoopbackHost, websocketApiUrl } from "./homeassistant/url.js"
export { compileHostPolicy, type HostGuard, type HostPolicy } from "./core/HostPolicy.js"
export {
  layerWith as WebSocketClientLayerWith,
  WebSocketClientLiveWith,
  type WebSocketClientOptions
} from "./core/WebSocketClient.js"
