/**
 * The platform seam: how a socket is opened. The client knows only this interface, so the Node `ws` transport,
 * another runtime's, and the in-memory test transport swap freely.
 */
import * as Context from "effect/Context"
import type { ConnectionRefused, HandshakeRejected, HostDenied, ProtocolError, TlsError } from "./errors.js"
import type { Frame } from "./message.js"
import type { TlsOptions } from "./options.js"

/** What the client asks a transport to open. Everything in it has already been validated. */
export interface TransportRequest {
  readonly url: URL
  /** The URL as it may appear in errors: no credentials, query or fragment. */
  readonly redactedUrl: string
  readonly headers: Readonly<Record<string, string>>
  readonly protocols: ReadonlyArray<string>
  readonly maxPayload: number
  readonly tls: TlsOptions | undefined
  /** The host policy's verdict on each address the host name resolves to; `undefined` allows it. */
  readonly checkAddress: ((address: string) => HostDenied | undefined) | undefined
  /**
   * The caller accepts `"written"` for a frame the socket buffered within its high-water mark, so frames of one
   * synchronous run may be written together (`ConnectOptions.coalesceWrites`). A transport may ignore it.
   */
  readonly coalesceWrites?: boolean
}

/** A failure the transport has already classified. */
export type TransportFailure = ConnectionRefused | HandshakeRejected | TlsError | ProtocolError | HostDenied

/**
 * Callbacks a transport calls, in wire order. `onOpen` at most once; after `onClose` nothing more is called.
 * `onFailure` may precede `onClose` (a handshake failure, or a protocol violation by the peer).
 */
export interface TransportEvents {
  /** The handshake succeeded; `protocol` is the subprotocol the server chose, or `""`. */
  readonly onOpen: (protocol: string) => void
  /** A complete message: text as a string, binary as bytes. */
  readonly onMessage: (frame: Frame) => void
  /** A pong arrived (the answer to `ping`). */
  readonly onPong: () => void
  /** Why the handshake failed or the peer broke the protocol; `onClose` still follows. */
  readonly onFailure: (failure: TransportFailure) => void
  /** The socket is closed, with the close frame's code and reason (1006 and `""` when there was none). Last. */
  readonly onClose: (code: number, reason: string) => void
  /**
   * A write that `send` reported `"pending"` has been handed to the socket (or failed with `error`). Called once
   * per pending write, in the order of the writes.
   */
  readonly onWritten: (error?: Error) => void
}

/**
 * How a `send` went: `"written"` (handed to the socket already), `"pending"` (`onWritten` follows), or the reason it
 * was refused on the spot.
 */
export type WriteStart = "written" | "pending" | Error

/** One socket as the client drives it. Every method is safe to call in any state. */
export interface TransportSocket {
  /** Writes one message: no callback per write, so the hot path allocates nothing for it. */
  readonly send: (frame: Frame) => WriteStart
  /** Sends a protocol-level ping; the pong comes back through `onPong`. */
  readonly ping: () => void
  /** Starts the close handshake with a validated code and reason. */
  readonly close: (code: number, reason: string) => void
  /** Destroys the socket at once; `onClose` follows with 1006. */
  readonly terminate: () => void
  /** Stops reading from the socket, so TCP pushes back on the peer. */
  readonly pause: () => void
  /** Reads from the socket again after `pause`. */
  readonly resume: () => void
}

/**
 * What a transport can honour. The client refuses an option a transport cannot honour with an `InvalidOption`
 * naming both, rather than dropping it silently.
 */
export interface TransportCapabilities {
  /** Handshake headers (`ConnectOptions.headers`). */
  readonly headers: boolean
  /** TLS options (`ConnectOptions.tls`). */
  readonly tls: boolean
  /** A bound on inbound message size (`ConnectOptions.maxPayload`). */
  readonly maxPayload: boolean
  /** Protocol-level pings (`ConnectOptions.heartbeat`). */
  readonly ping: boolean
  /**
   * `"pause"`: the transport stops reading when the inbound buffer is full, so TCP pushes back on the peer.
   * `"none"`: it cannot stop reading (the WHATWG `WebSocket`); messages are still never dropped.
   */
  readonly backpressure: "pause" | "none"
}

/** The transport the client opens sockets with: the Node `ws` one, a WHATWG `WebSocket` one, or the in-memory one. */
export class WebSocketTransport extends Context.Tag("effect-ws-gateway/WebSocketTransport")<
  WebSocketTransport,
  {
    /** A short name for errors: `"node-ws"`, `"websocket-constructor"`, `"in-memory"`. */
    readonly name: string
    /** Which options it honours; see `TransportCapabilities`. */
    readonly capabilities: TransportCapabilities
    /** Measures a text frame in UTF-8 bytes for the stats, where the runtime has a faster way than plain code. */
    readonly textByteLength?: (text: string) => number
    /** Opens a socket. Opening is synchronous; its outcome arrives through `events`. */
    readonly open: (request: TransportRequest, events: TransportEvents) => TransportSocket
  }
>() {}

/** Every option honoured: the Node `ws` transport and the in-memory one. */
export const fullCapabilities: TransportCapabilities = {
  headers: true,
  tls: true,
  maxPayload: true,
  ping: true,
  backpressure: "pause"
}
