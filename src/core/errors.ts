/**
 * Typed failures of the core client. Every `_tag` equals its class name, every `message` is written for a
 * person, and no field ever holds a header value, token or URL password: URLs are carried redacted.
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

/** The operations whose time is bounded by a `Timeout`. */
export const TimedOperation = Schema.Literal("connect", "send", "receive", "request", "close")
export type TimedOperation = typeof TimedOperation.Type

/** Nothing accepted the connection: refused, unreachable, DNS failure, or reset during the handshake. */
export class ConnectionRefused extends Schema.TaggedError<ConnectionRefused>()("ConnectionRefused", {
  url: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `WebSocket connection to ${this.url} was refused (${this.detail})`
  }
}

/** An operation did not finish within its time bound, measured on the Effect clock. */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  operation: TimedOperation,
  after: Schema.DurationFromSelf
}) {
  override get message() {
    return `WebSocket ${this.operation} timed out after ${Duration.format(this.after)}`
  }
}

/** The server answered the upgrade request with something other than a valid `101 Switching Protocols`. */
export class HandshakeRejected extends Schema.TaggedError<HandshakeRejected>()("HandshakeRejected", {
  url: Schema.String,
  status: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `WebSocket handshake with ${this.url} was rejected: HTTP ${this.status} ${this.reason}`
  }
}

/** The TLS session could not be established: untrusted, expired or mismatched certificate, or a TLS alert. */
export class TlsError extends Schema.TaggedError<TlsError>()("TlsError", {
  url: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `TLS failure connecting to ${this.url}: ${this.detail}`
  }
}

/** The URL is empty, unparsable, not `ws:`/`wss:`, or carries a fragment. */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", {
  reason: Schema.String
}) {
  override get message() {
    return `Invalid WebSocket URL: ${this.reason}`
  }
}

/** The peer broke the WebSocket protocol; `code` is the close code the client sent (1002, 1003, 1007, 1009...). */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  code: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `WebSocket protocol error (${this.code}): ${this.reason}`
  }
}

/** The connection is closed: by the peer, abnormally (1006), by this client, or it was used after its close. */
export class ConnectionClosed extends Schema.TaggedError<ConnectionClosed>()("ConnectionClosed", {
  code: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `WebSocket connection closed (${this.code}${this.reason === "" ? "" : ` ${this.reason}`})`
  }
}

/** An outbound message cannot be sent as-is: not a string, bytes, plain object or array, or not serialisable. */
export class InvalidMessage extends Schema.TaggedError<InvalidMessage>()("InvalidMessage", {
  reason: Schema.String
}) {
  override get message() {
    return `Invalid WebSocket message: ${this.reason}`
  }
}

/** A caller-supplied option is out of range or of the wrong kind (timeout, close code, reason, header...). */
export class InvalidOption extends Schema.TaggedError<InvalidOption>()("InvalidOption", {
  option: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid WebSocket option '${this.option}': ${this.reason}`
  }
}

/** The transport could not be set up (for example the `ws` package is missing); nothing can connect. */
export class TransportUnavailable extends Schema.TaggedError<TransportUnavailable>()("TransportUnavailable", {
  transport: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `WebSocket transport '${this.transport}' is unavailable: ${this.reason}`
  }
}

/** The client's host policy does not allow this host name or address; nothing was sent to it. */
export class HostDenied extends Schema.TaggedError<HostDenied>()("HostDenied", {
  host: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Connecting to ${this.host} is not allowed by the host policy: ${this.reason}`
  }
}

/** Every way `connect` can fail. */
export type ConnectError =
  | ConnectionRefused
  | Timeout
  | HandshakeRejected
  | TlsError
  | InvalidUrl
  | InvalidOption
  | HostDenied

/** Every way `send` can fail. */
export type SendError = ConnectionClosed | ProtocolError | Timeout | InvalidMessage | InvalidOption

/** Every way `receive` (and the `messages` stream) can fail. */
export type ReceiveError = ConnectionClosed | ProtocolError | Timeout | InvalidOption

/** Every way `close` can fail: a bad code or reason, or a peer that did not finish the close handshake in time. */
export type CloseError = InvalidOption | Timeout

/** Every way `request` can fail. */
export type RequestError = ConnectError | SendError | ReceiveError

/** Every typed failure of the core client. */
export type WebSocketError = RequestError
