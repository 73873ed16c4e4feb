/**
 * The Node transport: sockets from the `ws` package, with its failures classified into the core's typed errors.
 */
import type * as NodeDns from "node:dns"
import type { LookupAddress } from "node:dns"
import { STATUS_CODES } from "node:http"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type WebSocket from "ws"
import {
  ConnectionRefused,
  HandshakeRejected,
  type HostDenied,
  ProtocolError,
  TlsError,
  TransportUnavailable
} from "../../core/errors.js"
import type { Frame } from "../../core/message.js"
import type { TransportEvents, TransportFailure, TransportRequest, TransportSocket, WriteStart } from "../../core/Transport.js"
import { fullCapabilities, WebSocketTransport } from "../../core/Transport.js"
import { globalWebSocketConstructor, webSocketConstructorTransport } from "../web/WebSocketConstructorTransport.js"
import { loadWs } from "./loadWs.js"

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "EPROTO"
])

// `ERR_OSSL_*`: OpenSSL refused the TLS material itself (a key that does not decrypt with the passphrase or does
// not match the certificate, PEM that does not parse), reported before anything is sent.
const isTlsFailure = (code: string | undefined): boolean =>
  code !== undefined &&
  (TLS_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.startsWith("ERR_OSSL_"))

// ws marks receiver errors with the close code it sends, under a symbol it does not export.
const closeCodeOf = (error: Error): number | undefined => {
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    if (symbol.description === "status-code") {
      const code = (error as unknown as Record<symbol, unknown>)[symbol]
      return typeof code === "number" ? code : undefined
    }
  }
  return undefined
}

const UNEXPECTED_RESPONSE = /^Unexpected server response: (\d+)$/

/** A lookup failure carrying the host policy's verdict, so the classifier can report it as `HostDenied`. */
class DeniedAddress extends Error {
  readonly code = "EHOSTDENIED"
  constructor(readonly denied: HostDenied) {
    super(denied.message)
  }
}

/**
 * `node:dns`, loaded on the first name a socket resolves (an IP address needs none) instead of when this module
 * loads: `process.getBuiltinModule` (Node 20.16+, 22.3+), or on older runtimes the copy `preloadDns` imported while
 * the transport was built. Measured: 5M fewer instructions for a cold start that connects to an IP address.
 */
let dnsModule: typeof NodeDns | undefined
const dns = (): typeof NodeDns => dnsModule ??= process.getBuiltinModule("node:dns")

/** Imports `node:dns` ahead of use where `process.getBuiltinModule` is missing (Node before 20.16). */
const preloadDns = async (): Promise<void> => {
  if (typeof process.getBuiltinModule !== "function") dnsModule = await import("node:dns")
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | Array<LookupAddress>, family?: number) => void

/**
 * DNS for the socket: `.invalid` names fail at once without a query (RFC 6761 §6.4), and every resolved address
 * passes the host policy before anything connects to it (so a name cannot be used to reach a denied range).
 */
const guardedLookup = (check: ((address: string) => HostDenied | undefined) | undefined) =>
  (hostname: string, options: { readonly all?: boolean }, callback: LookupCallback): void => {
    if (/(^|\.)invalid\.?$/i.test(hostname)) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
      error.code = "ENOTFOUND"
      return process.nextTick(callback, error, options.all === true ? [] : "")
    }
    dns().lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all === true ? [] : "")
      for (const { address } of addresses) {
        const denied = check?.(address)
        if (denied !== undefined) return callback(new DeniedAddress(denied), options.all === true ? [] : "")
      }
      if (options.all === true) return callback(null, addresses)
      const first = addresses[0]
      return callback(null, first?.address ?? "", first?.family ?? 4)
    })
  }

/** Maps a `ws` error to a typed failure; `undefined` for errors the following close event already describes. */
export const classifyWsError = (
  error: Error & { readonly code?: string },
  stage: "connecting" | "upgraded" | "open",
  redactedUrl: string
): TransportFailure | undefined => {
  if (stage === "open") {
    const code = closeCodeOf(error)
    return code === undefined ? undefined : new ProtocolError({ code, reason: error.message })
  }
  if (error instanceof DeniedAddress) return error.denied
  const status = UNEXPECTED_RESPONSE.exec(error.message)
  if (status?.[1] !== undefined) {
    const code = Number(status[1])
    return new HandshakeRejected({ url: redactedUrl, status: code, reason: STATUS_CODES[code] ?? "unexpected response" })
  }
  if (isTlsFailure(error.code)) return new TlsError({ url: redactedUrl, detail: error.message })
  // An HTTP answer Node cannot parse (oversized headers, garbage): rejected, with no status to report.
  if (error.code?.startsWith("HPE_") === true) {
    return new HandshakeRejected({ url: redactedUrl, status: 0, reason: `unparsable HTTP response (${error.message})` })
  }
  if (stage === "upgraded") return new HandshakeRejected({ url: redactedUrl, status: 101, reason: error.message })
  return new ConnectionRefused({ url: redactedUrl, detail: error.message })
}

const toBytes = (data: WebSocket.RawData): Uint8Array =>
  Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data

// ws hands a text frame over as a Buffer (its default binaryType). `String(buffer)` goes through the generic
// object-to-string conversion: ~65 ns more per message than calling `toString()`, in a hot loop on a 64-byte frame.
const toText = (data: WebSocket.RawData): string => (Buffer.isBuffer(data) ? data : Buffer.from(toBytes(data))).toString()

interface Stream {
  readonly errored?: unknown
  readonly destroyed?: boolean
  readonly writableHighWaterMark: number
  cork(): void
  uncork(): void
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean
}

/**
 * The most frames one coalesced write holds. Unbounded, 100 callers sharing a connection with HA went in lockstep
 * (the client's whole batch, then the server's): 32 let both work at once, +12-15 % calls/s in three A/B pairs.
 */
const FRAMES_PER_WRITE = 32

/** The TCP/TLS stream under a `ws` socket, once it has one. */
const streamOf = (socket: WebSocket): Stream | undefined => (socket as unknown as { readonly _socket?: Stream })._socket

/** The TCP/TLS stream under a `ws` socket is alive and has no write error. */
const writtenCleanly = (stream: Stream): boolean =>
  stream.destroyed === false && (stream.errored === null || stream.errored === undefined)

// `.invalid` names fail at once; everything else resolves as usual (one function for every socket).
const lookupWithoutPolicy = guardedLookup(undefined)

// ws reports everything through `emit` on its socket. A subclass hands each event straight to the socket's
// `NodeSocket` (found under this key) instead of registering listeners: a closure per listener per socket, and the
// listener table they need, measured as a large share of an idle connection's memory and of a connect's time.
const OWNER: unique symbol = Symbol("effect-ws-gateway/NodeSocket")
type Owned = WebSocket & { [OWNER]?: NodeSocket }

const reportingClasses = new WeakMap<typeof WebSocket, typeof WebSocket>()

/** `WebSocketClass` with its events delivered to the owning `NodeSocket`; events it does not take go on as usual. */
const reporting = (WebSocketClass: typeof WebSocket): typeof WebSocket => {
  let Reporting = reportingClasses.get(WebSocketClass)
  if (Reporting === undefined) {
    Reporting = class ReportingWebSocket extends WebSocketClass {
      // At most two arguments: every event ws emits to its users has two or fewer.
      override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
        const taken = (this as Owned)[OWNER]?.report(event, a, b) === true
        // Listeners on the socket itself (ws registers none today) still hear every event.
        if (taken && this.listenerCount(event) === 0) return true
        return super.emit(event, a, b) || taken
      }
    }
    reportingClasses.set(WebSocketClass, Reporting)
  }
  return Reporting
}

/** Opens one socket with the given `ws` constructor and adapts its events to the transport contract. */
export const openNodeSocket = (
  WebSocketClass: typeof WebSocket,
  request: TransportRequest,
  events: TransportEvents
): TransportSocket => {
  const tls = request.tls
  const socket = new (reporting(WebSocketClass))(request.url, [...request.protocols], {
    headers: request.headers,
    maxPayload: request.maxPayload,
    // Compression would let a small read inflate past the inbound bound before the pause takes effect.
    perMessageDeflate: false,
    followRedirects: false,
    lookup: (request.checkAddress === undefined ? lookupWithoutPolicy : guardedLookup(request.checkAddress)) as never,
    ...(tls?.ca === undefined ? {} : { ca: tls.ca as string }),
    rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    ...(tls?.cert === undefined ? {} : { cert: tls.cert as string }),
    ...(tls?.key === undefined ? {} : { key: tls.key as string }),
    ...(tls?.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    ...(tls?.servername === undefined ? {} : { servername: tls.servername })
  })
  const owner = new NodeSocket(socket, events, request.redactedUrl, WebSocketClass.OPEN, request.coalesceWrites === true)
  // Set before any event: ws emits nothing while it is being constructed.
  ;(socket as Owned)[OWNER] = owner
  return owner
}

// Written behind a frame that has to wait: its callback says the frame before it has been handed to the OS socket.
const WRITE_MARKER = Buffer.alloc(0)

/** The client's side of one `ws` socket; prototype methods, so an idle connection carries no closures for them. */
class NodeSocket implements TransportSocket {
  // How far the handshake got: it decides how an error is classified.
  private stage: "connecting" | "upgraded" | "open" = "connecting"
  // Reports a pending frame's write; made on the first frame that has to wait (most never do).
  private afterWrite: ((error?: Error | null) => void) | undefined = undefined
  // Coalescing: whether a run of sends is under way (ends on the next microtask), and the frames held corked in it.
  private inRun = false
  private corked = false
  private heldFrames = 0
  private endRun: (() => void) | undefined = undefined

  constructor(
    private readonly socket: WebSocket,
    private readonly events: TransportEvents,
    private readonly redactedUrl: string,
    private readonly OPEN: number,
    private readonly coalesce: boolean
  ) {}

  /** @internal One event of the socket; `false` for those the transport does not take (ws then handles them). */
  report(event: string | symbol, a: unknown, b: unknown): boolean {
    switch (event) {
      case "message":
        this.events.onMessage(b === true ? toBytes(a as WebSocket.RawData) : toText(a as WebSocket.RawData))
        return true
      case "pong":
        this.events.onPong()
        return true
      case "upgrade":
        this.stage = "upgraded"
        return true
      case "open":
        this.stage = "open"
        this.events.onOpen(this.socket.protocol)
        return true
      case "error": {
        const failure = classifyWsError(a as Error, this.stage, this.redactedUrl)
        if (failure !== undefined) this.events.onFailure(failure)
        return true
      }
      case "close":
        this.events.onClose(a as number, String(b))
        return true
      default:
        return false
    }
  }

  send(frame: Frame): WriteStart {
    const stream = streamOf(this.socket)
    // Without a callback ws drops a frame for a socket that is no longer open without a word: refuse it here.
    if (this.socket.readyState !== this.OPEN || stream === undefined) return new Error("the socket is not open")
    // Coalescing (opt-in): frames sent in one synchronous run (a fiber's burst, replies to a batch of messages)
    // leave together: the stream is corked at the run's second frame and uncorked on the next microtask, after the
    // run. One syscall per frame measured as most of the time of a pipelined exchange. A long run is written every
    // FRAMES_PER_WRITE frames, so the peer starts on its first frames while this side produces the rest.
    if (this.coalesce) {
      if (!this.inRun) {
        // The first frame of a run goes straight out: a lone frame (one request at a time) waits for nothing.
        this.inRun = true
        queueMicrotask(this.endRun ??= () => {
          this.inRun = false
          if (!this.corked) return
          this.corked = false
          streamOf(this.socket)?.uncork()
        })
      } else if (!this.corked) {
        stream.cork()
        this.corked = true
        this.heldFrames = 1
      } else if (++this.heldFrames > FRAMES_PER_WRITE) {
        stream.uncork()
        stream.cork()
        this.heldFrames = 1
      }
    }
    // No callback for ws: with one, Node schedules a tick per run of writes only to report what is known already
    // for almost every frame (without it, pipelined throughput went from 0.80x to 0.87x raw ws in an A/B).
    try {
      // No options: ws sends a string as a text frame and bytes as a binary one by itself, and copying an options
      // object into its own costs a property walk per frame.
      this.socket.send(frame)
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error))
    }
    // By default the frame counts as written only when Node wrote it to the OS socket synchronously (nothing left in
    // ws's or the stream's buffer, no write error). Coalescing, it counts once it is in the stream's buffer within
    // the high-water mark (what a Node stream's `write()` returning true means). Otherwise an empty write queued
    // behind it reports, in order, when the frame has been handed to the OS socket: that is the backpressure.
    const buffered = this.socket.bufferedAmount
    if ((buffered === 0 || (this.coalesce && buffered <= stream.writableHighWaterMark)) && writtenCleanly(stream)) {
      return "written"
    }
    stream.write(WRITE_MARKER, this.afterWrite ??= (error) => this.events.onWritten(error ?? undefined))
    return "pending"
  }

  ping(): void {
    if (this.socket.readyState === this.OPEN) this.socket.ping()
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason)
  }

  terminate(): void {
    this.socket.terminate()
  }

  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }
}

/** The `ws` transport itself: `ws` imported when the layer is built, a typed `TransportUnavailable` if it cannot be. */
const wsTransport: Effect.Effect<WebSocketTransport["Type"], TransportUnavailable> = Effect.tryPromise({
  try: () => preloadDns().then(loadWs),
  catch: (error) =>
    new TransportUnavailable({
      transport: "ws",
      reason: `the ws package could not be loaded: ${error instanceof Error ? error.message : String(error)}`
    })
}).pipe(
  Effect.map((WebSocketClass) => ({
    name: "node-ws",
    capabilities: fullCapabilities,
    textByteLength: (text: string) => Buffer.byteLength(text, "utf8"),
    open: (request: TransportRequest, events: TransportEvents) => openNodeSocket(WebSocketClass, request, events)
  }))
)

/** What `NodeTransportLive` provides, as an effect: `ws`, or the global `WebSocket` when `ws` cannot be loaded. */
export const nodeTransport: Effect.Effect<WebSocketTransport["Type"], TransportUnavailable> = Effect.catchAll(
  wsTransport,
  (unavailable) =>
    typeof globalThis.WebSocket !== "function" ? Effect.fail(unavailable) : Effect.as(
      Effect.logWarning(
        `${unavailable.message}; using the runtime's global WebSocket instead (no headers, TLS options, pings or maxPayload)`
      ),
      webSocketConstructorTransport(globalWebSocketConstructor)
    )
)

/**
 * The `ws` transport for Node. `ws` is imported when the layer is built, not when this package is loaded (from an
 * ESM bundle too: see `loadWs`). Should it still fail to load (a bundle deployed without it, where it was left
 * external), the runtime's global `WebSocket` (Node 22+) is used instead, never silently: a warning is logged, and
 * the transport's `name` ("websocket-constructor") and capabilities say which it is, so an option it cannot honour
 * (headers, TLS options, pings, `maxPayload`) is `InvalidOption`. Without a global `WebSocket`, `TransportUnavailable`.
 */
export const NodeTransportLive: Layer.Layer<WebSocketTransport, TransportUnavailable> = Layer.effect(
  WebSocketTransport,
  // One layer, not a `Layer.catchAll` of two: building it is on every cold start's path (see test/bench/README.md).
  nodeTransport
)
