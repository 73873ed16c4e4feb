/**
 * A connection opened by `WebSocketClient.connect`. It is a handle: operations live on the client service.
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ReceiveError } from "./errors.js"
import type { InboundMessage } from "./message.js"

/** Lifecycle of a connection; it only moves forward. */
export type ConnectionState = "connecting" | "open" | "closing" | "closed"

/** An open WebSocket connection. It is closed when the scope it was opened in closes, whatever the outcome. */
export interface Connection {
  /** Unique within the process. */
  readonly id: number
  /** The URL without credentials, query or fragment. */
  readonly url: string
  /** The subprotocol the server chose, or `""`. */
  readonly protocol: string
  readonly state: ConnectionState
  /** Inbound messages in arrival order; after the last one it fails with `ConnectionClosed` (or `ProtocolError`). */
  readonly messages: Stream.Stream<InboundMessage, ReceiveError>
  /** Completes once the connection has ended, whoever ended it. */
  readonly closed: Effect.Effect<void>
  /** Messages waiting in the inbound buffer now. */
  readonly buffered: number
  /** The most messages the inbound buffer has held at once. */
  readonly peakBuffered: number
  /**
   * `"pause"`: a full inbound buffer (`bufferSize`) pauses reading, so TCP pushes back on the server. `"none"`: the
   * transport cannot pause (the WHATWG `WebSocket`); messages are still never dropped, and the buffer grows past
   * `bufferSize` while nobody receives.
   */
  readonly backpressure: "pause" | "none"
}
