/**
 * The state machine behind a `Connection`: transport events in, typed outcomes out.
 */
import { Chunk, Deferred, type Duration, Effect, Exit, FiberId, Option, Stream } from "effect"
import type { Connection, ConnectionState } from "../Connection.js"
import { ConnectionClosed, type ConnectError, ConnectionRefused, type ProtocolError, Timeout } from "../errors.js"
import { decodeFrame, type Frame, type InboundMessage } from "../message.js"
import type { StatsRecorder } from "../Stats.js"
import type { TransportFailure, TransportRequest, TransportSocket, WebSocketTransport } from "../Transport.js"
import type { Deadlines } from "./deadlines.js"
import { InboundBuffer } from "./InboundBuffer.js"

/** Why the inbound side ended: the peer's or our close, or a protocol violation. */
export type EndReason = ConnectionClosed | ProtocolError

let nextConnectionId = 0

export interface ConnectionSettings {
  readonly request: TransportRequest
  readonly bufferSize: number
  readonly closeTimeout: Duration.Duration
}

export class ConnectionImpl implements Connection {
  readonly id = ++nextConnectionId
  readonly url: string
  protocol = ""
  state: ConnectionState = "connecting"
  readonly buffer: InboundBuffer<InboundMessage, EndReason>
  readonly opened = Deferred.unsafeMake<void, ConnectError>(FiberId.none)
  readonly closed = Deferred.unsafeMake<void>(FiberId.none)
  private readonly socket: TransportSocket
  private handshakeFailure: TransportFailure | undefined = undefined
  private shutdownResult: Deferred.Deferred<boolean> | undefined = undefined
  private pongWaiter: Deferred.Deferred<void> | undefined = undefined
  private endReason: EndReason | undefined = undefined

  constructor(
    transport: WebSocketTransport["Type"],
    private readonly settings: ConnectionSettings,
    private readonly stats: StatsRecorder,
    private readonly deadlines: Deadlines,
    private readonly onFinished: (connection: ConnectionImpl) => void
  ) {
    this.url = settings.request.redactedUrl
    this.buffer = new InboundBuffer(settings.bufferSize, {
      pause: () => this.socket.pause(),
      resume: () => this.socket.resume()
    })
    this.socket = transport.open(settings.request, {
      onOpen: (protocol) => this.handleOpen(protocol),
      onMessage: (frame) => this.handleMessage(frame),
      onPong: () => {
        if (this.pongWaiter !== undefined) Deferred.unsafeDone(this.pongWaiter, Exit.void)
      },
      onFailure: (failure) => this.handleFailure(failure),
      // Built once per connection from values ws already checked: schema validation here measured ~17 µs.
      onClose: (code, reason) => this.finish(new ConnectionClosed({ code, reason }, true))
    })
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

  get closeTimeout(): Duration.Duration {
    return this.settings.closeTimeout
  }

  get buffered(): number {
    return this.buffer.size
  }

  get peakBuffered(): number {
    return this.buffer.peak
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

  private handleOpen(protocol: string): void {
    if (this.state !== "connecting") return
    this.state = "open"
    this.protocol = protocol
    this.stats.opened()
    Deferred.unsafeDone(this.opened, Exit.void)
  }

  private handleMessage(frame: Frame): void {
    this.stats.received(frame)
    this.buffer.push(decodeFrame(frame))
  }

  private handleFailure(failure: TransportFailure): void {
    if (this.state === "connecting") {
      this.handshakeFailure ??= failure
      Deferred.unsafeDone(this.opened, Exit.fail(failure as ConnectError))
    } else if (failure._tag === "ProtocolError") {
      this.endReason ??= failure
    }
  }

  /** Ends the connection once: buffered messages stay readable, then `reason` (or an earlier protocol error). */
  finish(reason: EndReason): void {
    if (this.state === "closed") return
    const wasOpen = this.state !== "connecting"
    this.state = "closed"
    this.endReason ??= reason
    if (wasOpen) this.stats.closed()
    else {
      Deferred.unsafeDone(
        this.opened,
        Exit.fail(
          this.handshakeFailure as ConnectError ??
            new ConnectionRefused({ url: this.url, detail: `closed before the handshake completed (${reason.code})` })
        )
      )
    }
    this.buffer.end(this.endReason)
    Deferred.unsafeDone(this.closed, Exit.void)
    this.onFinished(this)
  }

  /** Waits for the opening handshake, bounded by `timeout` (a `Timeout` for connect once it passes). */
  awaitOpen(timeout: Duration.Duration): Effect.Effect<void, ConnectError> {
    return this.deadlines.bound(Deferred.await(this.opened), timeout, () =>
      Deferred.unsafeDone(this.opened, Exit.fail(new Timeout({ operation: "connect", after: timeout }))))
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
      if (this.shutdownResult !== undefined) return Deferred.await(this.shutdownResult)
      const result = Deferred.unsafeMake<boolean>(FiberId.none)
      this.shutdownResult = result
      if (this.state === "closed") {
        Deferred.unsafeDone(result, Exit.succeed(true))
        return Deferred.await(result)
      }
      if (this.state === "open") this.state = "closing"
      this.socket.close(code, reason)
      let clean = true
      return this.deadlines.bound(Deferred.await(this.closed), this.settings.closeTimeout, () => {
        clean = false
        this.abort(new ConnectionClosed({ code: 1006, reason: "close handshake timed out" }))
      }).pipe(
        Effect.flatMap(() => Effect.sync(() => clean)),
        Effect.tap((outcome) => Deferred.succeed(result, outcome))
      )
    }).pipe(Effect.uninterruptible)
  }

  /** Writes one frame; completes when the transport has handed it to the socket. */
  write(frame: Frame): Effect.Effect<void, ConnectionClosed> {
    return Effect.async<void, ConnectionClosed>((resume) => {
      if (this.state !== "open") return resume(Effect.fail(this.closedError))
      this.socket.send(frame, (error) => {
        if (error === undefined || error === null) {
          this.stats.sent(frame)
          resume(Effect.void)
        } else {
          resume(Effect.fail(this.state === "closed" ? this.closedError : new ConnectionClosed({ code: 1006, reason: "the socket refused the write" })))
        }
      })
    })
  }

  /** Sends pings every `interval`; a pong missing for `timeout` ends the connection as 1006 "heartbeat timeout". */
  heartbeat(interval: Duration.Duration, timeout: Duration.Duration): Effect.Effect<void> {
    const beat = Effect.suspend(() => {
      const pong = Deferred.unsafeMake<void>(FiberId.none)
      this.pongWaiter = pong
      this.socket.ping()
      return Deferred.await(pong).pipe(Effect.timeout(timeout))
    })
    const loop = Effect.sleep(interval).pipe(
      Effect.zipRight(beat),
      Effect.forever,
      Effect.catchTag("TimeoutException", () =>
        Effect.sync(() => this.abort(new ConnectionClosed({ code: 1006, reason: "heartbeat timeout" }))))
    )
    return Effect.raceFirst(loop, Deferred.await(this.closed))
  }
}
