/**
 * What every entry exports, whatever the runtime: the services, their layers over a transport you provide, the
 * errors and the types. The entries add the defaults built on their platform's transport.
 */
export type { Connection, ConnectionState } from "./core/Connection.js"
export * from "./core/errors.js"
export type { Frame, InboundMessage, JsonObject, OutboundMessage } from "./core/message.js"
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
  fullCapabilities,
  type TransportCapabilities,
  type TransportEvents,
  type TransportFailure,
  type TransportRequest,
  type TransportSocket,
  type WriteStart,
  WebSocketTransport
} from "./core/Transport.js"
export { layer as WebSocketClientLayer, WebSocketClient } from "./core/WebSocketClient.js"

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
export { type Dispatcher, type InterfaceRegistration, registerInterface, type RegistrationOptions } from "./gateway/Registration.js"
export {
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
  type CreateWebSocketInterface,
  type PromiseWebSocketInterface,
  type WebSocketInterfaceOptions
} from "./adapter/promise.js"

// Live sessions: one connection kept alive for a protocol (reconnect, at-most-once requests, subscriptions).
export { CommandTimeout, ConnectionLost, Disconnected } from "./live/errors.js"
export {
  type Attached,
  type ConnectionState as LiveConnectionState,
  defaultReconnectSchedule,
  type LiveSession,
  type LiveSessionOptions,
  make as makeLiveSession,
  type OpenError as LiveOpenError,
  type RequestError as LiveRequestError,
  type RequestOptions as LiveRequestOptions,
  type SubscribeOptions as LiveSubscribeOptions
} from "./live/LiveSession.js"
export type { Inbound, Numbered, Protocol, SubscriptionKey } from "./live/Protocol.js"
export {
  directConnection,
  type DirectConnection,
  type WriteInProgress,
  type WriteOutcome
} from "./core/DirectConnection.js"

// JSON-RPC 2.0 client.
export { JsonRpcError, type JsonRpcCallError, JsonRpcErrorCodes, type JsonRpcErrorKind } from "./jsonrpc/errors.js"
export {
  JsonRpc,
  type JsonRpcCallOptions,
  type JsonRpcConnectionState,
  type DefaultHeartbeat as JsonRpcDefaultHeartbeat,
  layer as JsonRpcLayer,
  type JsonRpcOptions,
  type JsonRpcStartError,
  type JsonRpcSubscription
} from "./jsonrpc/JsonRpc.js"
export type { JsonRpcCall, JsonRpcParams, JsonRpcSubscribeCall } from "./jsonrpc/messages.js"
export { jsonRpcProtocol } from "./jsonrpc/protocol.js"

// Home Assistant client.
export * from "./homeassistant/errors.js"
export {
  type CommandOptions,
  type ConnectionState as HomeAssistantConnectionState,
  HomeAssistant,
  layer as HomeAssistantLayer,
  type HomeAssistantOptions,
  type HomeAssistantStartError,
  type NumberedEvent,
  type ReadyCollection,
  type SubscribeMessageOptions,
  type CollectionOptions
} from "./homeassistant/HomeAssistant.js"
export type { Collections } from "./homeassistant/collections.js"
export type {
  CallServiceOutcome,
  CallServiceResult,
  CommandMessage,
  ErrorPayload,
  HassContext,
  HassEntity,
  HassEvent,
  ServiceCallWentAway,
  ServiceTarget
} from "./homeassistant/messages.js"
export { isLoopbackHost, websocketApiUrl } from "./homeassistant/url.js"
export { applyEntitiesEvent, type EntitiesUpdate, type HassEntities } from "./homeassistant/compressedState.js"
export type { EntityFilter, EntityFilterLists } from "./homeassistant/entities.js"
export type { AccessTokenSource } from "./homeassistant/options.js"
export { oauthRefresh, type OAuthRefreshOptions, type OAuthTokens } from "./homeassistant/oauth.js"
export type { RenderTemplateOptions, TemplateRendering, TriggerFiring } from "./homeassistant/subscriptions.js"
// Voice: Assist pipeline runs, the conversation agent, signed URLs.
export type { AssistError, AssistInput, AssistOptions, AssistStage } from "./homeassistant/assist.js"
export {
  type AssistEvent,
  AssistIntentEnd,
  AssistIntentProgress,
  AssistIntentStart,
  type AssistOtherEvent,
  AssistPipeline,
  AssistPipelines,
  AssistRunEnd,
  AssistRunStart,
  AssistSttEnd,
  AssistSttStart,
  AssistSttVadEnd,
  AssistSttVadStart,
  AssistTtsEnd,
  AssistTtsStart,
  AssistWakeWordEnd,
  AssistWakeWordStart
} from "./homeassistant/assistEvents.js"
export {
  type ConversationOptions,
  ConversationResponse,
  ConversationResult,
  spokenAnswer
} from "./homeassistant/conversation.js"
export type { SignedUrlOptions } from "./homeassistant/signedUrl.js"
export {
  ConditionResult,
  type ConditionConfig,
  ConfigValidation,
  type ConfigToValidate,
  FireEventResult,
  type ScriptAction,
  ScriptResult
} from "./homeassistant/scripts.js"
// History, statistics and the logbook (HA's recorder).
export {
  HistoryState,
  HistoryStates,
  type HistoryFilterOptions,
  type HistoryPeriodOptions,
  type HistoryStreamOptions,
  type HistoryUpdate
} from "./homeassistant/history.js"
export {
  Statistics,
  type StatisticsOptions,
  StatisticsPeriod,
  StatisticType,
  StatisticValue
} from "./homeassistant/statistics.js"
export { LogbookEntry, type LogbookOptions, type LogbookUpdate } from "./homeassistant/logbook.js"
export {
  AreaRegistryEntry,
  DeviceRegistryEntry,
  EntityRegistryDisplay,
  EntityRegistryEntry,
  FloorRegistryEntry,
  HassConfig,
  HassServices,
  HassUser,
  LabelRegistryEntry
} from "./homeassistant/schemas.js"
export { compileHostPolicy, type HostGuard, type HostPolicy } from "./core/HostPolicy.js"
export { layerWith as WebSocketClientLayerWith, type WebSocketClientOptions } from "./core/WebSocketClient.js"

// The web transport: a WHATWG WebSocket of every kind, through @effect/platform's Socket.WebSocketConstructor.
export {
  GlobalWebSocketTransportLive,
  webCapabilities,
  WebSocketConstructorTransport
} from "./platform/web/WebSocketConstructorTransport.js"

// Interop: a connection as @effect/platform's Socket.
export { toPlatformSocket } from "./platform/PlatformSocket.js"
