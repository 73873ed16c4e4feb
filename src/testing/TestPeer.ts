/**
 * The server side of one in-memory connection: what a test script uses to play the server.
 */
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import { InvalidMessage, ProtocolError } from "../core/errors.js"
import { encodeMessage, type Frame } from "../core/message.js"
import type { TransportEvents, TransportRequest, TransportSocket } from "../core/Transport.js"

/** The text `push` sends for `message`: a string as it is, anything else as lossless JSON text. */
const pushedText = (message: unknown): string | InvalidMessage => {
  if (typeof message === "string") return message
  if (typeof message === "object" && message !== null) {
    const frame = encodeMessage(message) // objects and arrays: what JSON would drop or mangle is refused
    return frame instanceof Uint8Array ? new InvalidMessage({ reason: "push sends text: use pushBinary for bytes" }) : frame
  }
  if (typeof message === "boolean" || message === null || (typeof message === "number" && Number.isFinite(message))) {
    return JSON.stringify(message)
  }
  return new InvalidMessage({ reason: `${typeof message === "number" ? message : typeof message} has no JSON form` })
}

/** A frame on its way to the client, or the server's close frame behind the messages before it. */
type WireItem = { readonly _tag: "Frame"; readonly frame: Frame } | {
  readonly _tag: "Close"
  readonly code: number
  readonly reason: string
}

/** The close frame the client sent, as the server saw it. */
export interface ReceivedClose {
  readonly code: number
  readonly reason: string
}

/**
 * One client connection seen from the server. Server-to-client traffic honours the client's pause like TCP
 * would: while the client is paused, frames wait "on the wire" in order, and the close frame waits behind them.
 */
export class TestPeer {
  /** Every frame the client sent, in order. */
  readonly sent: Array<Frame> = []
  /** The client's close frame, once it sent one. */
  closeFrame: ReceivedClose | undefined = undefined
  /** Answer pings automatically. Set to `false` to test heartbeat timeouts. */
  autoPong = true
  /** Answer the client's close frame automatically. Set to `false` to test close-handshake timeouts. */
  autoCloseReply = true
  /** Hold the client's writes: their completion callbacks wait until `releaseWrites`. */
  stallWrites = false
  private wire: Array<WireItem> = []
  private wireHead = 0
  private readonly stalled: Array<() => void> = []
  private paused = false
  private ended = false
  private opened = false
  private readonly inbox = Effect.runSync(Queue.unbounded<Frame>())
  /** How many times the client paused reading. */
  pauses = 0
  /** How many pings the client sent. */
  pings = 0

  constructor(
    readonly id: number,
    readonly request: TransportRequest,
    private readonly events: TransportEvents
  ) {}

  /** Whether the client has stopped reading (its inbound buffer is full). */
  get isPaused(): boolean {
    return this.paused
  }

  /** Frames waiting on the wire because the client is paused. */
  get backlog(): number {
    return this.wire.length - this.wireHead
  }

  /** Whether the connection has ended for the client. */
  get isClosed(): boolean {
    return this.ended
  }

  /** The handshake headers the client sent. */
  get headers(): Readonly<Record<string, string>> {
    return this.request.headers
  }

  /** The next frame the client sent that the script has not yet read. */
  readonly receive: Effect.Effect<Frame> = Queue.take(this.inbox)

  /** The next frame the client sent, parsed as JSON. */
  readonly receiveJson: Effect.Effect<unknown, InvalidMessage> = Effect.flatMap(this.receive, (frame) =>
    Effect.try({
      try: () => JSON.parse(typeof frame === "string" ? frame : new TextDecoder().decode(frame)) as unknown,
      catch: () => new InvalidMessage({ reason: "the client's frame is not JSON" })
    }))

  /**
   * Pushes a text frame: a string as it is, any other value as JSON text. A value JSON would drop or mangle (a
   * BigInt, a cycle, `undefined`...) is `InvalidMessage`, and nothing is pushed.
   */
  push(message: unknown): Effect.Effect<void, InvalidMessage> {
    const frame = pushedText(message)
    return frame instanceof InvalidMessage ? Effect.fail(frame) : Effect.sync(() => this.transmit({ _tag: "Frame", frame }))
  }

  /** Pushes a binary frame; anything but a `Uint8Array` is `InvalidMessage`, and nothing is pushed. */
  pushBinary(bytes: Uint8Array): Effect.Effect<void, InvalidMessage> {
    if (!(bytes instanceof Uint8Array)) return Effect.fail(new InvalidMessage({ reason: "pushBinary takes a Uint8Array" }))
    return Effect.sync(() => this.transmit({ _tag: "Frame", frame: bytes }))
  }

  /** Starts a server-initiated close: the client sees it after every frame pushed before it. */
  close(code = 1000, reason = ""): Effect.Effect<void> {
    return Effect.sync(() => this.transmit({ _tag: "Close", code, reason }))
  }

  /** Drops the connection abruptly (TCP reset): frames still on the wire are lost; the client sees 1006. */
  readonly drop: Effect.Effect<void> = Effect.sync(() => {
    this.wire = []
    this.wireHead = 0
    this.end(1006, "")
  })

  /** Makes the client detect a protocol violation, as if the server sent a malformed frame. */
  violateProtocol(code: number, reason: string): Effect.Effect<void> {
    return Effect.sync(() => {
      if (this.ended) return
      this.events.onFailure(new ProtocolError({ code, reason }))
      this.end(code, reason)
    })
  }

  /** Completes every write the client made while `stallWrites` was on. */
  readonly releaseWrites: Effect.Effect<void> = Effect.sync(() => {
    this.stallWrites = false
    for (const done of this.stalled.splice(0)) done()
  })

  /** @internal Completes the handshake. */
  open(protocol: string): void {
    this.opened = true
    this.events.onOpen(protocol)
  }

  /** @internal Fails the handshake. */
  fail(failure: Parameters<TransportEvents["onFailure"]>[0]): void {
    this.events.onFailure(failure)
    this.end(1006, "")
  }

  /** @internal The client's side of the socket. */
  readonly socket: TransportSocket = {
    send: (frame) => {
      if (this.ended || !this.opened) return new Error("socket is not open")
      this.sent.push(frame)
      Queue.unsafeOffer(this.inbox, frame)
      if (!this.stallWrites) return "written"
      this.stalled.push(() => this.events.onWritten())
      return "pending"
    },
    ping: () => {
      this.pings++
      if (this.autoPong && !this.ended && this.opened) this.events.onPong()
    },
    close: (code, reason) => {
      if (this.ended) return
      if (!this.opened) return this.end(1006, "")
      if (this.closeFrame !== undefined) return
      this.closeFrame = { code, reason }
      if (this.autoCloseReply) this.transmit({ _tag: "Close", code, reason })
    },
    terminate: () => this.end(1006, ""),
    pause: () => {
      this.paused = true
      this.pauses++
    },
    resume: () => {
      this.paused = false
      this.flush()
    }
  }

  private transmit(item: WireItem): void {
    if (this.ended) return
    this.wire.push(item)
    this.flush()
  }

  private flush(): void {
    while (!this.paused && !this.ended && this.wireHead < this.wire.length) {
      const item = this.wire[this.wireHead++] as WireItem
      if (this.wireHead === this.wire.length) {
        this.wire = []
        this.wireHead = 0
      }
      if (item._tag === "Frame") this.events.onMessage(item.frame)
      else this.end(item.code, item.reason)
    }
  }

  private end(code: number, reason: string): void {
    if (this.ended) return
    this.ended = true
    this.events.onClose(code, reason)
  }
}
