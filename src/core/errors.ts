/**
 * Typed failures of the core client. Every `_tag` equals its class name, every `message` is written for a
 * person, and no field ever holds a header value, token or URL password: URLs are carried redacted.
 *
 * These are `Data.TaggedError` classes, not `Schema.TaggedError` like the other layers' errors: the core must not
 * load `effect/Schema` (about 100 KB, its evaluation alone ~10 ms of every cold start; the bench's coldstart rows).
 * They are yieldable, compare structurally and carry the same fields; encode them with a schema of your own if you
 * send them over the wire.
 */
import * as Duration from "effect/Duration"
import * as Data from "effect/Data"

/** The operations whose time is bounded by a `Timeout`. */
export type TimedOperation = "connect" | "send" | "receive" | "request" | "close"

/** Nothing accepted the connection: refused, unreachable, DNS failure, or reset during the handshake. */
export class ConnectionRefused extends Data.TaggedError("ConnectionRefused")<{ readonly url: string; readonly detail: string }> {
  override get message() {
    return `WebSocket connection to ${this.url} was refused (${this.detail})`
  }
}

/** An operation did not finish within its time bound, measured on the Effect clock. */
export class Timeout extends Data.TaggedError("Timeout")<{ readonly operation: TimedOperation; readonly after: Duration.Duration }> {
  override get message() {
    return `WebSocket ${this.operation} timed out after ${Duration.format(this.after)}`
  }
}

/** The server answered the upgrade request with something other than a valid `101 Switching Protocols`. */
export class HandshakeRejected extends Data.TaggedError("HandshakeRejected")<{ readonly url: string; readonly status: number; readonly reason: string }> {
  override get message() {
    return `WebSocket handshake with ${this.url} was rejected: HTTP ${this.status} ${this.reason}`
  }
}

/** The TLS session could not be established: untrusted, expired or mismatched certificate, or a TLS alert. */
export class TlsError extends Data.TaggedError("TlsError")<{ readonly url: string; readonly detail: string }> {
  override get message() {
    return `TLS failure connecting to ${this.url}: ${this.detail}`
  }
}

/** The URL is empty, unparsable, not `ws:`/`wss:`, or carries a fragment. */
export class InvalidUrl extends Data.TaggedError("InvalidUrl")<{ readonly reason: string }> {
  override get message() {
    return `Invalid WebSocket URL: ${this.reason}`
  }
}

/** The peer broke the WebSocket protocol; `code` is the close code the client sent (1002, 1003, 1007, 1009...). */
export class ProtocolError extends Data.TaggedError("ProtocolError")<{ readonly code: number; readonly reason: string }> {
  override get message() {
    return `WebSocket protocol error (${this.code}): ${this.reason}`
  }
}

/** The connection is closed: by the peer, abnormally (1006), by this client, or it was used after its close. */
export class ConnectionClosed extends Data.TaggedError("ConnectionClosed")<{ readonly code: number; readonly reason: string }> {
  override get message() {
    return `WebSocket connection closed (${this.code}${this.reason === "" ? "" : ` ${this.reason}`})`
  }
}

/** An outbound message cannot be sent as-is: not a string, bytes, plain object or array, or not serialisable. */
export class InvalidMessage extends Data.TaggedError("InvalidMessage")<{ readonly reason: string }> {
  override get message() {
    return `Invalid WebSocket message: ${this.reason}`
  }
}

/** A caller-supplied option is out of range or of the wrong kind (timeout, close code, reason, header...). */
export class InvalidOption extends Data.TaggedError("InvalidOption")<{ readonly option: string; readonly reason: string }> {
  override get message() {
    return `Invalid WebSocket option '${this.option}': ${this.reason}`
  }
}

/** The transport could not be set up (for example the `ws` package is missing); nothing can connect. */
export class TransportUnavailable extends Data.TaggedError("TransportUnavailable")<{ readonly transport: string; readonly reason: string }> {
  override get message() {
    return `WebSocket transport '${this.transport}' is unavailable: ${this.reason}`
  }
}

/** The client's host policy does not allow this host name or address; nothing was sent to it. */
export class HostDenied extends Data.TaggedError("HostDenied")<{ readonly host: string; readonly reason: string }> {
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
