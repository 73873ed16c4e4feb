/**
 * Home Assistant WebSocket API wire shapes (homeassistant/components/websocket_api): what the server sends and
 * the commands the client writes. Types and pure builders only.
 */

/** Server → client during the handshake. */
export type AuthMessage =
  | { readonly type: "auth_required"; readonly ha_version: string }
  | { readonly type: "auth_ok"; readonly ha_version: string }
  | { readonly type: "auth_invalid"; readonly message?: string }

/** The `error` object of a failed result, as HA core sends it (translation fields since 2024). */
export interface ErrorPayload {
  readonly code: string
  readonly message: string
  readonly translation_key?: string
  readonly translation_domain?: string
  readonly translation_placeholders?: Readonly<Record<string, string>>
}

/** A command's result. */
export type ResultMessage =
  | { readonly id: number; readonly type: "result"; readonly success: true; readonly result: unknown }
  | { readonly id: number; readonly type: "result"; readonly success: false; readonly error: ErrorPayload }

/** An event of a subscription; `id` is the id of the subscribe command. */
export interface EventMessage {
  readonly id: number
  readonly type: "event"
  readonly event: unknown
}

/** The answer to `ping`. */
export interface PongMessage {
  readonly id: number
  readonly type: "pong"
}

/** A message after authentication (a coalesced frame is a JSON array of these). */
export type ServerMessage = ResultMessage | EventMessage | PongMessage

/** A command as the caller gives it: anything with a `type`; the client adds the `id`. */
export interface CommandMessage {
  readonly type: string
  readonly [key: string]: unknown
}

/** The name errors give a command: its `type`, or what was passed instead (untyped callers may pass anything). */
export const commandName = (message: CommandMessage): string =>
  typeof message === "object" && message !== null ? String(message.type) : typeof message

/** The context HA attaches to states, events and service calls. */
export interface HassContext {
  readonly id: string
  readonly parent_id: string | null
  readonly user_id: string | null
}

/** An entity's state as `get_states` and `state_changed` carry it. */
export interface HassEntity {
  readonly entity_id: string
  readonly state: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly last_changed: string
  readonly last_updated: string
  readonly last_reported?: string
  readonly context: HassContext
}

/** An event as `subscribe_events` delivers it. */
export interface HassEvent {
  readonly event_type: string
  readonly data: Readonly<Record<string, unknown>>
  readonly origin: string
  readonly time_fired: string
  readonly context: HassContext
}

/** The result of `call_service`: the context of the call and, with `returnResponse`, the service's response. */
export interface CallServiceResult {
  readonly context: HassContext
  readonly response?: unknown
}

/**
 * A call that restarts or stops Home Assistant, or installs its core or OS update, whose connection dropped after it
 * was written: HA went away as asked, which is how it answers those (HA's frontend counts the call done). Never re-sent.
 */
export interface ServiceCallWentAway {
  readonly wentAway: true
}

/** The calls HA answers by going away (HA frontend's `serviceCallWillDisconnect`). */
export const serviceCallGoesAway = (domain: string, service: string, serviceData?: Readonly<Record<string, unknown>>, target?: ServiceTarget): boolean =>
  (domain === "homeassistant" && (service === "restart" || service === "stop")) ||
  (domain === "update" && service === "install" &&
    [serviceData?.entity_id, target?.entity_id].flat().some((entity) =>
      entity === "update.home_assistant_core_update" || entity === "update.home_assistant_operating_system_update"
    ))

/**
 * What `callService` succeeds with: the result, or — for a call that may restart or stop HA (or a domain and service
 * not known until run time) — also `ServiceCallWentAway`.
 */
export type CallServiceOutcome<Domain extends string, Service extends string> = string extends Domain | Service
  ? CallServiceResult | ServiceCallWentAway
  : [Domain, Service] extends ["homeassistant", "restart" | "stop"] | ["update", "install"] ? CallServiceResult | ServiceCallWentAway
  : CallServiceResult

/** Which entities, devices, areas, floors or labels a service call targets. */
export interface ServiceTarget {
  readonly entity_id?: string | ReadonlyArray<string>
  readonly device_id?: string | ReadonlyArray<string>
  readonly area_id?: string | ReadonlyArray<string>
  readonly floor_id?: string | ReadonlyArray<string>
  readonly label_id?: string | ReadonlyArray<string>
}

/** `{ type: "auth", access_token }`. */
export const authMessage = (accessToken: string) => ({ type: "auth", access_token: accessToken }) as const

/** `supported_features` with message coalescing on. */
export const supportedFeaturesMessage: CommandMessage = { type: "supported_features", features: { coalesce_messages: 1 } }

/** `call_service`, with only the fields that were given. */
export const callServiceMessage = (
  domain: string,
  service: string,
  serviceData?: Readonly<Record<string, unknown>>,
  target?: ServiceTarget,
  returnResponse?: boolean
): CommandMessage => {
  // Built field by field: three conditional spreads allocated three objects per call.
  const message: { type: string; [key: string]: unknown } = { type: "call_service", domain, service }
  if (serviceData !== undefined) message.service_data = serviceData
  if (target !== undefined) message.target = target
  if (returnResponse === true) message.return_response = true
  return message
}

/** `subscribe_events`, for one event type or all. */
export const subscribeEventsMessage = (eventType?: string): CommandMessage =>
  eventType === undefined ? { type: "subscribe_events" } : { type: "subscribe_events", event_type: eventType }

/** `unsubscribe_events` for the subscription made by command `subscription`. */
export const unsubscribeEventsMessage = (subscription: number): CommandMessage => ({
  type: "unsubscribe_events",
  subscription
})
