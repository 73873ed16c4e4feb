/**
 * Options of the core operations. Every duration is a `DurationInput` measured on the Effect clock.
 */
import type * as Duration from "effect/Duration"

/** TLS settings for `wss:` URLs. Certificates are verified unless `rejectUnauthorized` is explicitly `false`. */
export interface TlsOptions {
  /** Extra trusted certificate authorities (PEM). */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>
  /** Verify the server certificate and host name. Default `true`; `false` must be chosen explicitly. */
  readonly rejectUnauthorized?: boolean
  /** Client certificate chain (PEM), for servers that require mutual TLS. */
  readonly cert?: string | Uint8Array
  /** Private key of the client certificate (PEM). */
  readonly key?: string | Uint8Array
  /** Passphrase of `key`. */
  readonly passphrase?: string
  /** Server name for SNI and certificate checks, when it differs from the URL host. */
  readonly servername?: string
}

/** WebSocket-level keep-alive: a ping every `interval`; no pong within `timeout` ends the connection (1006). */
export interface HeartbeatOptions {
  readonly interval: Duration.DurationInput
  readonly timeout: Duration.DurationInput
}

/** Options of `connect`. Only `url` is required. */
export interface ConnectOptions {
  /** `ws:` or `wss:` URL. Credentials in it are never logged or put in errors. */
  readonly url: string
  /** Sent on the upgrade request (for example `Authorization`); never logged or put in errors. */
  readonly headers?: Readonly<Record<string, string>>
  /** Bound on the opening handshake. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput
  /** Subprotocols offered in `Sec-WebSocket-Protocol`. */
  readonly protocols?: ReadonlyArray<string>
  /** Largest inbound message accepted, in bytes; larger ones close the connection with 1009. Default 100 MiB. */
  readonly maxPayload?: number
  /** TLS settings for `wss:`. */
  readonly tls?: TlsOptions
  /** WebSocket ping keep-alive. Default off. */
  readonly heartbeat?: HeartbeatOptions
  /**
   * Inbound messages held before reading from the socket is paused (TCP then pushes back on the server).
   * Default 1024.
   */
  readonly bufferSize?: number
  /** Bound on the close handshake before the socket is terminated. Default 5 seconds. */
  readonly closeTimeout?: Duration.DurationInput
  /**
   * Opt-in write coalescing for high-rate senders. A run's first frame goes out at once; the frames sent after it in
   * the same synchronous run leave together (one write per 32 frames on Node), on the next microtask. `send`
   * completes once the frame is in the socket's write buffer below its high-water mark (what a Node stream's
   * `write()` returning true means) rather than when `ws` reports the write. Past the mark, `send` waits for the
   * write as usual. Default `false`.
   */
  readonly coalesceWrites?: boolean
}

/** Options of `send`. */
export interface SendOptions {
  /** Bound on handing the data to the socket. Default: none. */
  readonly timeout?: Duration.DurationInput
}

/** Options of `receive`. */
export interface ReceiveOptions {
  /** Bound on waiting for the next message. Default: wait until a message or the close. */
  readonly timeout?: Duration.DurationInput
}

/** Options of `close`. */
export interface CloseOptions {
  /** Close code: 1000–1003, 1007–1014 or 3000–4999. Default 1000. */
  readonly code?: number
  /** Close reason, at most 123 UTF-8 bytes. Default empty. */
  readonly reason?: string
}

/** Options of `request`: one connection, one message out, the first reply back, always closed. */
export interface RequestOptions {
  readonly url: string
  readonly message: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Bound on connect + send + receive together. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput
}
