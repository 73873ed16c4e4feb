/**
 * The web transport: sockets from `@effect/platform`'s `Socket.WebSocketConstructor`, so the WHATWG `WebSocket` of a
 * browser, Deno, Bun, a worker or Node 22 — or `ws`, or a test double — plugs in. What the WHATWG API cannot do is
 * declared in `capabilities`, and the client refuses those options with `InvalidOption`.
 */
import * as Socket from "@effect/platform/Socket"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ConnectionRefused, TransportUnavailable } from "../../core/errors.js"
import type { Frame } from "../../core/message.js"
import {
  type TransportCapabilities,
  type TransportEvents,
  type TransportRequest,
  type TransportSocket,
  WebSocketTransport,
  type WriteStart
} from "../../core/Transport.js"
import { utf8ByteLength } from "../../core/utf8.js"

/** The part of the WHATWG `WebSocket` this transport uses. */
interface WhatwgSocket {
  binaryType: string
  readonly readyState: number
  readonly protocol: string
  readonly bufferedAmount: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { readonly data: unknown }) => void) | null
  onerror: ((event: unknown) => void) | null
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null
  send(data: string | Uint8Array): void
  close(code?: number, reason?: string): void
}

const OPEN = 1


/** What the WHATWG API allows: no handshake headers, TLS options, payload bound, pings or pausing. */
export const webCapabilities: TransportCapabilities = {
  headers: false,
  tls: false,
  maxPayload: false,
  ping: false,
  backpressure: "none"
}

// How soon a write the socket still buffers is checked again: the WHATWG API has no event for bufferedAmount
// draining. It is also checked on every inbound message, so a reply never overtakes the write it answers.
const DRAIN_POLL_MS = 0

class WebSocketConstructorSocket implements TransportSocket {
  private opened = false
  private ended = false
  private queuedBytes = 0
  // Per pending write, the total of bytes queued once it was: it is out when no more than the bytes queued after it
  // are still buffered.
  private readonly pending: Array<number> = []
  private poll: ReturnType<typeof setTimeout> | undefined = undefined

  constructor(
    private readonly socket: WhatwgSocket,
    private readonly request: TransportRequest,
    private readonly events: TransportEvents
  ) {
    socket.binaryType = "arraybuffer"
    socket.onopen = () => {
      this.opened = true
      events.onOpen(socket.protocol)
    }
    socket.onmessage = (event) => this.message(event.data)
    socket.onclose = (event) => this.end(event.code, event.reason)
    // Always handled (ws throws an error event nobody listens to). Before the open, an error is the end: Node 20's
    // global WebSocket fires no close event after a refused connection and stays CONNECTING.
    socket.onerror = () => {
      if (!this.opened) this.terminate()
    }
  }

  private message(data: unknown): void {
    if (this.pending.length > 0) this.settleWritten()
    if (typeof data === "string") return this.events.onMessage(data)
    if (data instanceof ArrayBuffer) return this.events.onMessage(new Uint8Array(data))
    if (ArrayBuffer.isView(data)) return this.events.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  }

  private end(code: number, reason: string): void {
    if (this.ended) return
    this.ended = true
    this.socket.onopen = this.socket.onmessage = this.socket.onclose = null
    if (this.poll !== undefined) clearTimeout(this.poll)
    this.settleWritten() // what left before the close was written; bufferedAmount keeps what did not
    for (let n = this.pending.length; n > 0; n--) this.events.onWritten(new Error("the socket closed before the write was sent"))
    this.pending.length = 0
    if (!this.opened) {
      this.events.onFailure(
        new ConnectionRefused({
          url: this.request.redactedUrl,
          detail: `the WebSocket closed before it opened (code ${code}); the WHATWG API gives no reason (nothing listening, ` +
            "a rejected upgrade, TLS and network failures all look alike)"
        })
      )
    }
    this.events.onClose(code, reason)
  }

  send(frame: Frame): WriteStart {
    if (this.ended || this.socket.readyState !== OPEN) return new Error("the socket is not open")
    try {
      this.socket.send(frame)
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error))
    }
    this.queuedBytes += typeof frame === "string" ? utf8ByteLength(frame) : frame.byteLength
    if (this.pending.length === 0 && this.socket.bufferedAmount === 0) return "written"
    this.pending.push(this.queuedBytes)
    this.poll ??= setTimeout(this.drain, DRAIN_POLL_MS)
    return "pending"
  }

  private settleWritten(): void {
    const buffered = this.socket.bufferedAmount
    while (this.pending.length > 0 && buffered <= this.queuedBytes - this.pending[0]!) {
      this.pending.shift()
      this.events.onWritten()
    }
  }

  private readonly drain = (): void => {
    this.poll = undefined
    if (this.ended) return
    this.settleWritten()
    if (this.pending.length > 0) this.poll = setTimeout(this.drain, DRAIN_POLL_MS)
  }

  ping(): void {}

  close(code: number, reason: string): void {
    try {
      this.socket.close(code, reason)
    } catch {
      this.terminate()
    }
  }

  terminate(): void {
    if (this.ended) return
    this.end(1006, "")
    try {
      this.socket.close() // may fire its error event at once (Node's undici): ended already, so it is ignored
    } catch {
      // already closing
    }
  }

  pause(): void {}

  resume(): void {}
}

/** A `WebSocket` constructor, as `Socket.WebSocketConstructor` provides it. */
type Construct = Context.Tag.Service<typeof Socket.WebSocketConstructor>

/** The transport over one `WebSocket` constructor, as `WebSocketConstructorTransport` builds it. */
export const webSocketConstructorTransport = (construct: Construct): WebSocketTransport["Type"] =>
  WebSocketTransport.of({
    name: "websocket-constructor",
    capabilities: webCapabilities,
    open: (request, events) => {
      const protocols = request.protocols.length === 0 ? undefined : [...request.protocols]
      const socket = construct(request.url.href, protocols) as unknown as WhatwgSocket
      return new WebSocketConstructorSocket(socket, request, events)
    }
  })

/** The runtime's global `WebSocket` as a `Socket.WebSocketConstructor` (what `layerWebSocketConstructorGlobal` gives). */
export const globalWebSocketConstructor: Construct = (url, protocols) => new globalThis.WebSocket(url, protocols)

/**
 * The client's transport over `Socket.WebSocketConstructor`: provide `Socket.layerWebSocketConstructorGlobal`
 * (browsers, Deno, Bun, workers, Node 22), `NodeSocket.layerWebSocketConstructor`, or a test double.
 */
export const WebSocketConstructorTransport: Layer.Layer<WebSocketTransport, never, Socket.WebSocketConstructor> =
  Layer.effect(WebSocketTransport, Effect.map(Socket.WebSocketConstructor, webSocketConstructorTransport))

/**
 * The web transport on the runtime's global `WebSocket` (the constructor `Socket.layerWebSocketConstructorGlobal`
 * gives), as an effect; a runtime without one (Node 20 without `--experimental-websocket`) fails it with
 * `TransportUnavailable`.
 */
export const globalWebSocketTransport: Effect.Effect<WebSocketTransport["Type"], TransportUnavailable> = Effect.suspend(
  () =>
    typeof (globalThis as { readonly WebSocket?: unknown }).WebSocket === "function"
      ? Effect.succeed(webSocketConstructorTransport(globalWebSocketConstructor))
      : Effect.fail(
        new TransportUnavailable({ transport: "websocket-constructor", reason: "this runtime has no global WebSocket" })
      )
)

/**
 * The web transport on the runtime's global `WebSocket`: the default of the browser, Deno and worker entries. A
 * runtime without one (Node 20 without `--experimental-websocket`) fails the layer with `TransportUnavailable`.
 */
export const GlobalWebSocketTransportLive: Layer.Layer<WebSocketTransport, TransportUnavailable> = Layer.effect(
  WebSocketTransport,
  globalWebSocketTransport
)
