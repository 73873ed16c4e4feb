/**
 * One `request` on a connection of its own, driven by the connection's callbacks: open, write, first message,
 * close. The calling fiber waits once for the whole cycle instead of once per step (an effect, an async wait and its
 * interruption finalizer per step measured as most of the CPU of a request).
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type ConnectError, ConnectionClosed, type ReceiveError, type SendError, type Timeout } from "../errors.js"
import type { Frame, InboundMessage } from "../message.js"
import type { ConnectionImpl } from "./connection.js"
import type { Deadlines } from "../Deadlines.js"

type ExchangeError = ConnectError | SendError | ReceiveError

/** The state of one cycle; its callbacks are arrow functions over it, made once per request. */
class Cycle {
  private settled = false
  private timedOut = false
  private key: number | undefined = undefined
  private resume: ((outcome: Effect.Effect<InboundMessage, ExchangeError | Timeout>) => void) | undefined = undefined

  constructor(
    private readonly connection: ConnectionImpl,
    private readonly frame: Frame,
    private readonly deadlines: Deadlines,
    private readonly after: Duration.Duration,
    private readonly onTimeout: () => Timeout
  ) {}

  /** Registers the deadline and the connection callbacks; `resume` gets the outcome once the connection closed. */
  start(resume: (outcome: Effect.Effect<InboundMessage, ExchangeError | Timeout>) => void): void {
    this.resume = resume
    const { connection, deadlines } = this
    if (deadlines.isRunning && Duration.isFinite(this.after)) {
      this.key = deadlines.addAfter(this.after, () => {
        this.key = undefined
        this.timedOut = true
        if (connection.state === "open") connection.startShutdown(1000, "")
        else connection.abort(new ConnectionClosed({ code: 1006, reason: "request timed out" }))
      })
    }
    connection.opened.onDone(() => {
      const opened = connection.opened.exit as Exit.Exit<void, ConnectError>
      if (Exit.isFailure(opened)) return this.settle(Exit.failCause(opened.cause))
      // A write the socket has yet to confirm needs no wait here: if it fails, the connection ends, and so does this.
      const start = connection.beginWrite(this.frame)
      if (start instanceof ConnectionClosed) this.settle(Exit.fail(start))
    })
    connection.listen((message) => this.settle(Exit.succeed(message)))
    // Ended before a message: the error is built only then (building one measured several µs).
    connection.closedSignal.onDone(() => this.settled || this.settle(Exit.fail(connection.endError)))
  }

  private settle(exit: Exit.Exit<InboundMessage, ExchangeError>): void {
    if (this.settled) return
    this.settled = true
    if (this.key !== undefined) this.deadlines.remove(this.key)
    const outcome = this.timedOut && Exit.isFailure(exit) ? Exit.fail(this.onTimeout()) : exit
    const resume = this.resume as NonNullable<Cycle["resume"]>
    // Returned only once the connection is closed; without the timer, `shutdown` bounds the close itself.
    if (this.deadlines.isRunning) this.connection.startShutdown(1000, "").onDone(() => resume(outcome))
    else resume(Effect.zipRight(this.connection.shutdown(1000, ""), outcome))
  }

  /** The wait ended early (interrupted): nothing more is reported, and the connection closes (1000, bounded). */
  abandon(): Effect.Effect<boolean> {
    this.settled = true
    if (this.key !== undefined) this.deadlines.remove(this.key)
    return this.connection.shutdown(1000, "")
  }
}

/**
 * Sends `frame` once `connection` opens and succeeds with the first inbound message (one the server sent first
 * counts, as it would for `receive`); the connection is then closed (1000, bounded handshake) before the result is
 * returned, whatever the result. `after` bounds it all on the client's timer: when it passes, an open connection
 * starts its close handshake, one still connecting is aborted, and the failure that causes is `onTimeout()`.
 * Interrupted, it closes the connection the same way before the interruption completes. `onFailed` runs once if it
 * fails (not when interrupted).
 *
 * The cycle's state is made now, so the returned effect is for one run: call `exchange` again for another cycle
 * (`request` does so on every evaluation).
 */
export const exchange = (
  connection: ConnectionImpl,
  frame: Frame,
  deadlines: Deadlines,
  after: Duration.Duration,
  onTimeout: () => Timeout,
  onFailed: () => void
): Effect.Effect<InboundMessage, ExchangeError | Timeout> => {
  const cycle = new Cycle(connection, frame, deadlines, after, onTimeout)
  // The wait is interruptible as the caller is; any failure, interruption included, passes through `abandon`
  // (a no-op close once the cycle has settled). A canceler on the async wait itself would do the same, but in A/B
  // runs on a real socket its interruption finalizer cost 20–35 µs more CPU per request than this.
  return Effect.uninterruptibleMask((restore) =>
    Effect.matchCauseEffect(
      restore(Effect.async<InboundMessage, ExchangeError | Timeout>((resume) => cycle.start(resume))),
      {
        onFailure: (cause) => {
          if (Cause.isFailure(cause)) onFailed()
          return Effect.zipRight(cycle.abandon(), Effect.failCause(cause))
        },
        onSuccess: Effect.succeed
      }
    )
  )
}
