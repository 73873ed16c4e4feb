/**
 * What a live session promises: its options, its operations with the guarantee of each, and how they fail. The
 * implementation is `LiveSession.make`.
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type { ConnectError, InvalidMessage, InvalidOption } from "../core/errors.js"
import type { CommandTimeout, ConnectionLost, Disconnected } from "./errors.js"
import type { ConnectionState } from "./internal/link.js"
import type { Attached } from "./internal/subscription.js"

/** Options of a live session. Durations are on the Effect clock. */
export interface LiveSessionOptions {
  /** The `ws://` or `wss://` URL every connection goes to. */
  readonly url: string
  /** When to try again after a connection is lost or an attempt fails; `false`: never. Default `defaultReconnectSchedule`. */
  readonly reconnect?: Schedule.Schedule<unknown, unknown> | false
  /** The default bound of each request, from its call to its answer (default 30 s). */
  readonly requestTimeout?: Duration.DurationInput
  /** The bound of opening one connection (default 10 s). */
  readonly connectTimeout?: Duration.DurationInput
  /** The bound of the protocol's handshake on each connection (default 10 s). */
  readonly handshakeTimeout?: Duration.DurationInput
  /** The protocol's keep-alive: its `ping` every `interval`; no answer within `timeout` replaces the connection. `false`: off. */
  readonly keepAlive?: false | { readonly interval?: Duration.DurationInput; readonly timeout?: Duration.DurationInput }
  /** Handshake headers for every connection (where the transport can send them). */
  readonly headers?: Readonly<Record<string, string>>
  /** WebSocket pings for every connection (where the transport has them): a missing pong replaces the connection. */
  readonly heartbeat?: { readonly interval: Duration.DurationInput; readonly timeout: Duration.DurationInput }
}

/** Per-request options. */
export interface RequestOptions {
  /** Bounds the request from its call to its answer, waiting for a connection included. Default: the session's. */
  readonly timeout?: Duration.DurationInput
}

/** Per-subscription options. */
export interface SubscribeOptions {
  /** Subscribe again on each new connection (default `true`); `false`: the Stream fails with `ConnectionLost` when the connection is lost. */
  readonly resubscribe?: boolean
  /**
   * A re-subscribe the peer refused (its error answer) on a new connection: `true` from this (which may wait, on that
   * connection, until the peer is ready: HA refuses an integration's commands while it starts) sends it again once on
   * that connection; `false`, or a second refusal there, fails the Stream with the refusal. Not consulted for the
   * first subscribe, whose refusal is the caller's answer. Default: a refusal fails the Stream.
   */
  readonly whenRefused?: (refusal: unknown) => Effect.Effect<boolean>
}

/** How a request can fail: the protocol's error answer, or one of the failures every protocol shares. */
export type RequestError<ProtocolError> =
  | ProtocolError
  | ConnectionLost
  | Disconnected
  | CommandTimeout
  | InvalidMessage
  | InvalidOption

/** How opening a connection can fail: connecting, the protocol's own open errors, a handshake or setup timeout. */
export type OpenError<ProtocolError, ProtocolOpenError> =
  | ProtocolOpenError
  | ProtocolError
  | ConnectError
  | CommandTimeout
  | ConnectionLost
  | InvalidMessage

/** A live session of one protocol. Each operation states its guarantee; every bound is on the Effect clock. */
export interface LiveSession<Request, Info, ProtocolError> {
  /**
   * Sends `request` at most once and succeeds with its answer. Not yet written when a connection is lost: it waits
   * for the next connection within its timeout. Possibly written: it fails with `ConnectionLost`, never re-sent.
   */
  readonly request: (request: Request, options?: RequestOptions) => Effect.Effect<unknown, RequestError<ProtocolError>>
  /**
   * Sends `requests` in one frame (the protocol's batch), at most once, and succeeds with each one's answer or error
   * answer, in order.
   */
  readonly batch: (
    requests: ReadonlyArray<Request>,
    options?: RequestOptions
  ) => Effect.Effect<ReadonlyArray<Either.Either<unknown, ProtocolError>>, RequestError<never>>
  /** Sends `request` as a message that gets no answer (the protocol's notification), at most once. */
  readonly notify: (request: Request, options?: RequestOptions) => Effect.Effect<void, RequestError<never>>
  /**
   * Writes `bytes` as one binary frame on the current connection, at most once, and completes once the socket took
   * it (awaiting each paces a stream by the socket's backpressure). Never held for a later connection: with none now
   * it is `ConnectionLost` (`Disconnected` once the session is closed); anything but a `Uint8Array` is `InvalidMessage`.
   */
  readonly sendBinary: (bytes: Uint8Array) => Effect.Effect<void, ConnectionLost | Disconnected | InvalidMessage>
  /**
   * A subscription as a Stream: subscribed when the Stream starts (its first answer awaited), subscribed again exactly
   * once on each new connection, unsubscribed when the Stream ends. `request` may be rebuilt per connection from the
   * handshake's `Info`.
   */
  readonly subscribe: (
    request: Request | ((info: Info) => Request),
    options?: SubscribeOptions
  ) => Stream.Stream<unknown, RequestError<ProtocolError>>
  /** `subscribe`, each event with the number of the connection it came on (1 for the first): a fresh snapshot after a reconnect is told apart. */
  readonly subscribeNumbered: (
    request: Request | ((info: Info) => Request),
    options?: SubscribeOptions
  ) => Stream.Stream<Attached<unknown>, RequestError<ProtocolError>>
  /** What the current connection's handshake learnt; waits while (re)connecting, `Disconnected` once closed. */
  readonly info: Effect.Effect<Info, Disconnected>
  /** The connection state now. */
  readonly state: Effect.Effect<ConnectionState>
  /** The connection state, now and on every change. */
  readonly states: Stream.Stream<ConnectionState>
  /** Emits once after each reconnect (not for the first connection), once re-subscription has started. */
  readonly reconnected: Stream.Stream<void>
  /** Closes the connection cleanly and does not reconnect until `resume`; requests meanwhile wait within their timeouts. Idempotent. */
  readonly suspend: Effect.Effect<void>
  /** Lets the session reconnect after `suspend`. Idempotent. */
  readonly resume: Effect.Effect<void>
  /** Inbound messages dropped so far (malformed, or for no request or subscription), across connections. */
  readonly dropped: Effect.Effect<number>
}
