/**
 * The Protocol seam: what a live session needs to know of a wire protocol, as data and pure functions. No sockets,
 * timers or retries here: the live session owns connections, time and reconnects, and keeps every guarantee (requests
 * at most once, subscriptions exactly once per connection) for every protocol.
 */
import type * as Effect from "effect/Effect"
import type { Connection } from "../core/Connection.js"
import type { InvalidMessage } from "../core/errors.js"
import type { Frame, InboundMessage } from "../core/message.js"
import type { ConnectOptions } from "../core/options.js"
import type { WebSocketClient } from "../core/WebSocketClient.js"

/** How events name the subscription they belong to: the subscribe request's id, or a key its answer gave. */
export type SubscriptionKey = string | number

/**
 * Where `decode` sends what it read from one inbound message. Each call is synchronous; an answer for an id nobody
 * waits for, or an event for a subscription nobody holds, is dropped.
 */
export interface Inbound<ProtocolError> {
  /** The answer to request `id`. */
  readonly result: (id: number, value: unknown) => void
  /** The protocol's error answer to request `id`. */
  readonly error: (id: number, error: ProtocolError) => void
  /** An event for the subscription `key`. */
  readonly event: (key: SubscriptionKey, value: unknown) => void
  /** A message that is none of these (malformed, or of a kind this client ignores): dropped, logged at debug. */
  readonly noise: (reason: string) => void
}

/** A request with the id the session gave it, for a protocol that frames several in one message. */
export interface Numbered<Request> {
  readonly id: number
  readonly request: Request
}

/**
 * A wire protocol on a live session.
 * - `Request`: what callers send (a plain object for Home Assistant, `{ method, params }` for JSON-RPC).
 * - `Info`: what each connection's handshake learnt (HA's version), available as `LiveSession.info`.
 * - `ProtocolError`: the peer's error answer to a request.
 * - `OpenError`: how preparing or the handshake can fail.
 * - `Prepared`: what `prepare` fetches before each connect (a token), handed to `handshake`.
 */
export interface Protocol<Request, Info, ProtocolError, OpenError, Prepared = void> {
  /** The protocol's name, for logs. */
  readonly name: string
  /** Options for every connection the session opens (its `url` and `timeout` are the session's). */
  readonly connectOptions?: Omit<ConnectOptions, "url" | "timeout">
  /** Runs before every connect, so each connection may use a fresh credential; its failure is retried on the schedule. */
  readonly prepare?: Effect.Effect<Prepared, OpenError>
  /**
   * Runs once on each new connection before any request is written (authentication, a greeting), with the client's
   * `send` and `receive`. Bounded by the session's `handshakeTimeout`.
   */
  readonly handshake?: (
    connection: Connection,
    client: WebSocketClient["Type"],
    prepared: Prepared
  ) => Effect.Effect<Info, OpenError>
  /** What `handshakeTimeout` names in its `CommandTimeout` (default `"handshake"`). */
  readonly handshakeName?: string
  /**
   * Requests made once on each new connection after the handshake and before callers' requests go out (HA's
   * `supported_features`, where the server's version has it), through the given `request`, which is bounded by the
   * session's request timeout, knowing what the handshake learnt.
   */
  readonly setup?: (
    request: (request: Request) => Effect.Effect<unknown, unknown>,
    info: Info
  ) => Effect.Effect<void, unknown>
  /**
   * Whether an open failure is final, as the reason the session then gives in `Disconnected` instead of
   * reconnecting (a rejected token); `undefined`: try again on the schedule.
   */
  readonly finalReason?: (error: OpenError) => string | undefined
  /** The name errors and logs give a request (`call_service`, `eth_getBalance`). */
  readonly nameOf: (request: Request) => string
  /** The frame of `request` with `id`, or `InvalidMessage` when it cannot be framed (nothing is sent). */
  readonly encode: (request: Request, id: number) => Frame | InvalidMessage
  /** One frame carrying several requests (a JSON-RPC batch); without it the session refuses batches. */
  readonly encodeBatch?: (requests: ReadonlyArray<Numbered<Request>>) => Frame | InvalidMessage
  /** The frame of a request that gets no answer (a JSON-RPC notification); without it the session refuses notifies. */
  readonly encodeNotification?: (request: Request) => Frame | InvalidMessage
  /** Reads one inbound message and tells `inbound` what it is. Must not throw. */
  readonly decode: (message: InboundMessage, inbound: Inbound<ProtocolError>) => void
  /**
   * How events name a subscription. Absent: by the subscribe request's id (Home Assistant), routed before its frame
   * leaves. Given: by the key the subscribe answer carries (JSON-RPC's subscription id), routed as the answer is read,
   * before any later message; `InvalidMessage` when the answer carries none.
   */
  readonly subscriptionKey?: (answer: unknown) => SubscriptionKey | InvalidMessage
  /** The request that ends subscription `key` (its outcome is ignored), or `undefined` for none. */
  readonly unsubscribe?: (key: SubscriptionKey, subscribe: Request) => Request | undefined
  /** A request the keep-alive sends; any answer proves the link alive. Without it, the keep-alive is off. */
  readonly ping?: Request
}
