/**
 * The state machine behind a `Connection`: transport events in, typed outcomes out.
 */
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Connection, ConnectionState } from "../Connection.js"
import { ConnectionClosed, type ConnectError, ConnectionRefused, type ProtocolError, Timeout } from "../errors.js"
import { decodeFrame, type Frame, type InboundMessage } from "../message.js"
import type { StatsRecorder } from "../Stats.js"
import type {
  TransportEvents,
  TransportFailure,
  TransportRequest,
  TransportSocket,
  WebSocketTransport
} from "../Transport.js"
import type { Deadlines } from "../Deadlines.js"
import { Fifo } from "./Fifo.js"
import { type FlowControl, InboundBuffer } from "./InboundBuffer.js"
import { Signal } from "../Signal.js"

/** Why the inbound side ended: the peer's or our close, or a protocol violation. */
export type EndReason = ConnectionClosed | ProtocolError

/** A close as the socket reported it; the `ConnectionClosed` error is built only if someone asks. */
interface CloseReport {
  readonly _tag: "CloseReport"
  readonly code: number
  readonly reason: string
}

let nextConnectionId = 0

const CONNECT_ABANDONED = new ConnectionClosed({ code: 1006, reason: "connect did not complete" })

const CLEAN = Exit.succeed(true)
const UNCLEAN = Exit.succeed(false)

/** What `startWrite` returns when the transport took the frame at once: there is nothing left to wait for. */
export const written: Effect.Effect<void> = Effect.void

export interface ConnectionSettings {
  readonly request: TransportRequest
  readonly bufferSize: number
  readonly closeTimeout: Duration.Duration
}

/** A write the transport has not confirmed yet, and the fiber (if any) waiting for it. */
export class PendingWrite {
  private outcome: Effect.Effect<void, ConnectionClosed> | undefined = undefined
  private resume: ((outcome: Effect.Effect<void, ConnectionClosed>) => void) | undefined = undefined

  constructor(readonly frame: Frame) {}

  settle(outcome: Effect.Effect<void, ConnectionClosed>): void {
    if (this.outcome !== undefined) return
    this.outcome = outcome
    this.resume?.(outcome)
  }

  get await(): Effect.Effect<void, ConnectionClosed> {
    return Effect.async<void, ConnectionClosed>((resume) => {
      if (this.outcome !== undefined) return resume(this.outcome)
      this.resume = resume
      // An interrupted waiter leaves the write in line: the transport still reports it, in order.
      return Effect.sync(() => {
        this.resume = undefined
      })
    })
  }
}

/**
 * The transport's callbacks and the buffer's flow control for one connection, as prototype methods on one small
 * object: per-connection closures measured as a large share of the memory of an idle connection.
 */
class Wiring implements TransportEvents, FlowControl {
  constructor(private readonly connection: ConnectionImpl) {}
  onOpen(protocol: string): void {
    this.connection.handleOpen(protocol)
  }
  onMessage(frame: Frame): void {
    this.connection.handleMessage(frame)
  }
  onPong(): void {
    this.connection.handlePong()
  }
  onFailure(failure: TransportFailure): void {
    this.connection.handleFailure(failure)
  }
  onClose(code: number, reason: string): void {
    // The error is built lazily: constructing it on every close measured ~7 µs, usually for nobody.
    this.connection.finish({ _tag: "CloseReport", code, reason })
  }
  onWritten(error?: Error): void {
    this.connection.handleWritten(error)
  }
  pause(): void {
    this.connection.socket.pause()
  }
  resume(): void {
    this.connection.socket.resume()
  }
}

export class ConnectionImpl implements Connection {
  readonly id = ++nextConnectionId
  readonly url: string
  protocol = ""
  state: ConnectionState = "connecting"
  readonly opened = new Signal<void, ConnectError>()
  readonly closeTimeout: Duration.Duration
  /** @internal */
  readonly socket: TransportSocket
  private handshakeFailure: TransportFailure | undefined = undefined
  private shutdownResult: Signal<boolean> | undefined = undefined
  private cleanClose = true
  private pongWaiter: Signal<void> | undefined = undefined
  private endReason: EndReason | CloseReport | undefined = undefined
  private listener: ((message: InboundMessage) => void) | undefined = undefined
  // The inbound buffer, the closed signal and the queue of writes the transport reported "pending" (oldest first;
  // settled by `onWritten`, or with the close error) are made on first use: an idle connection needs none of them.
  private inbox: InboundBuffer<InboundMessage, EndReason> | undefined = undefined
  private closedNotice: Signal<void> | undefined = undefined
  private pendingWrites: Fifo<PendingWrite> | undefined = undefined
  private readonly wiring: Wiring
  private readonly bufferSize: number
  readonly backpressure: "pause" | "none"

  constructor(
    transport: WebSocketTransport["Type"],
    settings: ConnectionSettings,
    private readonly stats: StatsRecorder,
    private readonly deadlines: Deadlines,
    private readonly live: Set<ConnectionImpl>
  ) {
    this.url = settings.request.redactedUrl
    this.backpressure = transport.capabilities.backpressure
    this.closeTimeout = settings.closeTimeout
    this.bufferSize = settings.bufferSize
    this.wiring = new Wiring(this)
    this.socket = transport.open(settings.request, this.wiring)
  }

  /** Inbound messages in arrival order, then the end; made when the first message arrives or is asked for. */
  get buffer(): InboundBuffer<InboundMessage, EndReason> {
    if (this.inbox !== undefined) return this.inbox
    const inbox = new InboundBuffer<InboundMessage, EndReason>(this.bufferSize, this.wiring)
    this.inbox = inbox
    if (this.state === "closed") inbox.end(() => this.endError)
    return inbox
  }

  /** Completes once the connection has ended, however it ended. */
  get closedSignal(): Signal<void> {
    if (this.closedNotice !== undefined) return this.closedNotice
    const notice = new Signal<void>()
    this.closedNotice = notice
    if (this.state === "closed") notice.done(Exit.void)
    return notice
  }

  // What printing or serialising a connection shows: never its headers, TLS material or full URL.
  toJSON(): { readonly id: number; readonly url: string; readonly state: ConnectionState; readonly protocol: string } {
    return { id: this.id, url: this.url, state: this.state, protocol: this.protocol }
  }

  toString(): string {
    return `Connection(${this.id} ${this.url} ${this.state})`
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString()
  }

  get closed(): Effect.Effect<void> {
    return this.closedSignal.await
  }

  get buffered(): number {
    return this.inbox?.size ?? 0
  }

  get peakBuffered(): number {
    return this.inbox?.peak ?? 0
  }

  // Built on first use: most connections never ask for a Stream, and building one costs several KiB.
  get messages(): Stream.Stream<InboundMessage, EndReason> {
    return Stream.repeatEffectChunkOption(
      Effect.mapBoth(this.buffer.takeAll, { onFailure: Option.some, onSuccess: Chunk.unsafeFromArray })
    )
  }

  /** The error for an operation attempted after the connection ended. */
  get closedError(): ConnectionClosed {
    const reason = this.endReason
    return reason === undefined
      ? new ConnectionClosed({ code: 1006, reason: "connection is not open" })
      : reason._tag === "ConnectionClosed"
      ? reason
      : new ConnectionClosed({ code: reason.code, reason: reason.reason })
  }

  /** @internal Why the inbound side ended, as the typed error takers see. */
  get endError(): EndReason {
    const reason = this.endReason
    if (reason === undefined || reason._tag === "CloseReport") {
      const error = this.closedError
      this.endReason = error
      return error
    }
    return reason
  }

  /** @internal */
  handleOpen(protocol: string): void {
    if (this.state !== "connecting") return
    this.state = "open"
    this.protocol = protocol
    this.stats.opened()
    this.opened.done(Exit.void)
  }

  /** @internal */
  handleMessage(frame: Frame): void {
    this.stats.received(frame)
    if (this.listener === undefined) this.buffer.push(decodeFrame(frame))
    else this.listener(decodeFrame(frame))
  }

  /**
   * For a protocol client that owns this connection and never blocks on a message (it routes each to a waiting
   * command or an unbounded mailbox): hands it every buffered message now and each later one as it arrives, in
   * order, instead of buffering them. `receive` and `messages` then see only the end.
   */
  listen(listener: (message: InboundMessage) => void): void {
    this.listener = listener
    if (this.inbox !== undefined) for (const message of this.inbox.drain()) listener(message)
  }

  /** @internal */
  handlePong(): void {
    if (this.pongWaiter !== undefined) this.pongWaiter.done(Exit.void)
  }

  /** @internal */
  handleFailure(failure: TransportFailure): void {
    if (this.state === "connecting") {
      this.handshakeFailure ??= failure
      this.opened.done(Exit.fail(failure as ConnectError))
    } else if (failure._tag === "ProtocolError") {
      this.endReason ??= failure
    }
  }

  /** Ends the connection once: buffered messages stay readable, then `reason` (or an earlier protocol error). */
  finish(reason: EndReason | CloseReport): void {
    if (this.state === "closed") return
    const wasOpen = this.state !== "connecting"
    this.state = "closed"
    this.endReason ??= reason
    if (wasOpen) this.stats.closed()
    else {
      this.opened.done(Exit.fail(
        this.handshakeFailure as ConnectError ??
          new ConnectionRefused({ url: this.url, detail: `closed before the handshake completed (${reason.code})` })
      ))
    }
    this.inbox?.end(() => this.endError)
    if (this.pendingWrites !== undefined && this.pendingWrites.size > 0) {
      const error = Effect.fail(this.closedError)
      for (const write of this.pendingWrites.takeAll()) write.settle(error)
    }
    this.closedNotice?.done(Exit.void)
    this.live.delete(this)
  }

  /**
   * Waits for the opening handshake, bounded by `timeout` (a `Timeout` for connect once it passes). A connect that
   * times out or is interrupted destroys its socket; one the transport failed is already ending.
   */
  awaitOpen(timeout: Duration.Duration): Effect.Effect<void, ConnectError> {
    return this.deadlines.awaitSignal(this.opened, timeout, () => this.connectTimedOut(timeout), () => this.abandonConnect())
  }

  /** The connect's bound passed: `opened` fails with a connect `Timeout` and the socket is destroyed. */
  connectTimedOut(after: Duration.Duration): void {
    this.opened.done(Exit.fail(new Timeout({ operation: "connect", after })))
    this.abort(CONNECT_ABANDONED)
  }

  /** Nobody waits for this connect any more (interrupted, or part of a batch that failed): destroys the socket. */
  abandonConnect(): void {
    if (this.state === "connecting") this.abort(CONNECT_ABANDONED)
  }

  /** Destroys the socket at once: for a connect that failed, timed out or was interrupted. */
  abort(reason: EndReason): void {
    // Finish first: a transport may report its own 1006 synchronously, and the specific reason must win.
    this.finish(reason)
    this.socket.terminate()
  }

  /**
   * Closes once with `code`/`reason`, waiting for the peer's close frame up to `closeTimeout`, then terminating.
   * Every caller gets the same outcome: `true` when the close handshake completed.
   */
  shutdown(code: number, reason: string): Effect.Effect<boolean> {
    return Effect.suspend(() => {
      const result = this.startShutdown(code, reason)
      if (result.isDone || this.deadlines.isRunning) return result.await
      // The client's timer has stopped (its scope closed): bound the handshake with an ordinary timeout.
      return Effect.zipRight(
        this.deadlines.bound(this.closedSignal.await, this.closeTimeout, () => this.closeTimedOut()),
        result.await
      )
    }).pipe(Effect.uninterruptible)
  }

  /**
   * Starts the close once, synchronously; the signal completes with `true` when the close handshake completed. On
   * the client's timer a handshake that takes longer than `closeTimeout` ends with a terminate (`false`); without
   * the timer, `shutdown` bounds the wait.
   */
  startShutdown(code: number, reason: string): Signal<boolean> {
    if (this.shutdownResult !== undefined) return this.shutdownResult
    const result = new Signal<boolean>()
    this.shutdownResult = result
    if (this.state === "closed") {
      result.done(CLEAN)
      return result
    }
    if (this.state === "open") this.state = "closing"
    this.socket.close(code, reason)
    this.closedSignal.onDone(() => result.done(this.cleanClose ? CLEAN : UNCLEAN))
    if (!this.closedSignal.isDone && this.deadlines.isRunning) {
      const key = this.deadlines.addAfter(this.closeTimeout, () => this.closeTimedOut())
      this.closedSignal.onDone(() => this.deadlines.remove(key))
    }
    return result
  }

  private closeTimedOut(): void {
    this.cleanClose = false
    this.abort(new ConnectionClosed({ code: 1006, reason: "close handshake timed out" }))
  }

  /**
   * Hands `frame` to the socket now; the returned effect waits for the outcome: `written` (nothing to wait for) when
   * the transport took it at once. A wait still open when the connection ends fails with the close error.
   */
  startWrite(frame: Frame): Effect.Effect<void, ConnectionClosed> {
    const start = this.beginWrite(frame)
    return start === undefined ? written : start instanceof PendingWrite ? start.await : Effect.fail(start)
  }

  /**
   * Hands `frame` to the socket now: `undefined` when the transport took it, the `PendingWrite` to wait for when
   * it has yet to report, or the error when the connection is not open or the socket refused the frame.
   */
  beginWrite(frame: Frame): PendingWrite | ConnectionClosed | undefined {
    if (this.state !== "open") return this.closedError
    const start = this.socket.send(frame)
    if (start === "written") {
      this.stats.sent(frame)
      return undefined
    }
    if (start !== "pending") {
      // The transport may have reported the close while refusing.
      return (this.state as ConnectionState) === "closed"
        ? this.closedError
        : new ConnectionClosed({ code: 1006, reason: "the socket refused the write" })
    }
    const write = new PendingWrite(frame)
    ;(this.pendingWrites ??= new Fifo<PendingWrite>()).push(write)
    return write
  }

  /** @internal The oldest pending write has been handed to the socket, or failed. */
  handleWritten(error: Error | undefined): void {
    const write = this.pendingWrites?.shift()
    if (write === undefined) return
    if (error === undefined) {
      this.stats.sent(write.frame)
      write.settle(written)
    } else {
      write.settle(Effect.fail(
        this.state === "closed" ? this.closedError : new ConnectionClosed({ code: 1006, reason: "the socket refused the write" })
      ))
    }
  }

  /** Sends pings every `interval`; a pong missing for `timeout` ends the connection as 1006 "heartbeat timeout". */
  heartbeat(interval: Duration.Duration, timeout: Duration.Duration): Effect.Effect<void> {
    const beat = Effect.suspend(() => {
      const pong = new Signal<void>()
      this.pongWaiter = pong
      this.socket.ping()
      return pong.await.pipe(Effect.timeout(timeout))
    })
    const loop = Effect.sleep(interval).pipe(
      Effect.zipRight(beat),
      Effect.forever,
      Effect.catchTag("TimeoutException", () =>
        Effect.sync(() => this.abort(new ConnectionClosed({ code: 1006, reason: "heartbeat timeout" }))))
    )
    return Effect.raceFirst(loop, this.closedSignal.await)
  }
}
