/**
 * Direct access to a connection of this package's `WebSocketClient`, for a protocol layer that owns the connection
 * (the live session): a write that says at once whether the frame has left, and inbound messages handed to a
 * listener as they arrive instead of buffered. Both are synchronous, so a protocol can allocate an id and write its
 * frame in one step, and route a reply without a reader fiber.
 */
import type * as Effect from "effect/Effect"
import type { Connection } from "./Connection.js"
import type { ConnectionClosed } from "./errors.js"
import { ConnectionImpl } from "./internal/connection.js"
import type { Frame, InboundMessage } from "./message.js"

/** A write the socket took but has yet to report: `await` completes once it has left, or fails with the close. */
export interface WriteInProgress {
  readonly await: Effect.Effect<void, ConnectionClosed>
}

/**
 * What `write` says of a frame: `undefined`, it has left (handed to the socket, nothing to wait for); a
 * `WriteInProgress`, the socket took it and will report; `ConnectionClosed`, the socket refused it and nothing left
 * this process (the connection is not open, or is closing).
 */
export type WriteOutcome = WriteInProgress | ConnectionClosed | undefined

/** A connection of this package's client, with its synchronous write and inbound listener. */
export interface DirectConnection extends Connection {
  /** Hands `frame` to the socket now and says whether it left; never throws, never waits. */
  readonly beginWrite: (frame: Frame) => WriteOutcome
  /**
   * Hands every buffered inbound message to `listener` now, and each later one as it arrives, in order, instead of
   * buffering them (`receive` and `messages` then see only the end). For a reader that never blocks on a message.
   */
  readonly listen: (listener: (message: InboundMessage) => void) => void
}

/** The connection with direct access, or `undefined` when another `WebSocketClient` implementation opened it. */
export const directConnection = (connection: Connection): DirectConnection | undefined =>
  connection instanceof ConnectionImpl ? connection : undefined
