/**
 * One `request` on a connection of its own, driven by the connection's callbacks: open, write, first message,
 * close. The calling fiber waits once for the whole cycle instead of once per step (an effect, an async wait and its
 * interruption finalizer per step measured as most of the CPU of a request).
 */
import { Duration, Effect, Exit } from "effect"
import { type ConnectError, ConnectionClosed, type ReceiveError, type SendError, type Timeout } from "../errors.js"
import type { Frame, InboundMessage } from "../message.js"
import type { ConnectionImpl } from "./connection.js"
import type { Deadlines } from "./deadlines.js"

type ExchangeError = ConnectError | SendError | ReceiveError

/**
 * Sends `frame` once `connection` opens and succeeds with the first inbound message (one the server sent first
 * counts, as it would for `receive`); the connection is then closed (1000, bounded handshake) before the result is
 * returned, whatever the result. `after` bounds it all on the client's timer: when it passes, an open connection
 * starts its close handshake, one still connecting is aborted, and the failure that causes is `onTimeout()`.
 * Interrupted, it closes the connection the same way before the interruption completes.
 */
export const exchange = (
  connection: ConnectionImpl,
  frame: Frame,
  deadlines: Deadlines,
  after: Duration.Duration,
  onTimeout: () => Timeout
): Effect.Effect<InboundMessage, ExchangeError | Timeout> =>
  Effect.async<InboundMessage, ExchangeError | Timeout>((resume) => {
    let settled = false
    let timedOut = false
    let key: number | undefined

    const settle = (exit: Exit.Exit<InboundMessage, ExchangeError>): void => {
      if (settled) return
      settled = true
      if (key !== undefined) deadlines.remove(key)
      const outcome = timedOut && Exit.isFailure(exit) ? Exit.fail(onTimeout()) : exit
      // Returned only once the connection is closed; without the timer, `shutdown` bounds the close itself.
      if (deadlines.isRunning) connection.startShutdown(1000, "").onDone(() => resume(outcome))
      else resume(Effect.zipRight(connection.shutdown(1000, ""), outcome))
    }

    if (deadlines.isRunning && Duration.isFinite(after)) {
      key = deadlines.addAfter(after, () => {
        key = undefined
        timedOut = true
        if (connection.state === "open") connection.startShutdown(1000, "")
        else connection.abort(new ConnectionClosed({ code: 1006, reason: "request timed out" }))
      })
    }
    connection.opened.onDone(() => {
      const opened = connection.opened.exit as Exit.Exit<void, ConnectError>
      if (Exit.isFailure(opened)) return settle(Exit.failCause(opened.cause))
      // A write the socket has yet to confirm needs no wait here: if it fails, the connection ends, and so does this.
      const start = connection.beginWrite(frame)
      if (start instanceof ConnectionClosed) settle(Exit.fail(start))
    })
    connection.listen((message) => settle(Exit.succeed(message)))
    // Ended before a message: the error is built only then (building one measured several µs).
    connection.closedSignal.onDone(() => settled || settle(Exit.fail(connection.endError)))
    return Effect.suspend(() => {
      if (key !== undefined) deadlines.remove(key)
      settled = true
      return connection.shutdown(1000, "")
    })
  })
