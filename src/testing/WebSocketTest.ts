/**
 * An in-memory transport and a scriptable server: tests play the server, and with `TestClock` every timeout
 * test runs instantly and deterministically.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import { ConnectionRefused, HandshakeRejected, TlsError } from "../core/errors.js"
import type { TransportRequest } from "../core/Transport.js"
import { fullCapabilities, WebSocketTransport } from "../core/Transport.js"
import { layer as clientLayer, type WebSocketClient } from "../core/WebSocketClient.js"
import { TestPeer } from "./TestPeer.js"

/** How the test server answers an opening handshake. */
export type Handshake =
  | { readonly _tag: "Accept"; readonly protocol?: string }
  | { readonly _tag: "Refuse" }
  | { readonly _tag: "Reject"; readonly status: number }
  | { readonly _tag: "TlsFailure" }
  | { readonly _tag: "Hang" }

/** Constructors for `Handshake` answers. */
export const Handshake = {
  /** Completes the handshake, choosing `protocol` (default: none). */
  accept: (protocol = ""): Handshake => ({ _tag: "Accept", protocol }),
  /** Nothing listening: the client gets `ConnectionRefused`. */
  refuse: { _tag: "Refuse" } as Handshake,
  /** Answers the upgrade with HTTP `status`: the client gets `HandshakeRejected`. */
  reject: (status: number): Handshake => ({ _tag: "Reject", status }),
  /** A failed TLS handshake: the client gets `TlsError`. */
  tlsFailure: { _tag: "TlsFailure" } as Handshake,
  /** Never answers: the client's connect timeout decides. */
  hang: { _tag: "Hang" } as Handshake
} as const

/** The scriptable server behind the in-memory transport. */
export class WebSocketTestServer extends Context.Tag("effect-ws-gateway/WebSocketTestServer")<
  WebSocketTestServer,
  {
    /** Chooses how later handshakes are answered: one answer for all, or per request. Default: accept. */
    readonly setHandshake: (answer: Handshake | ((request: TransportRequest) => Handshake)) => Effect.Effect<void>
    /** The next connection whose handshake was accepted (waits for one). */
    readonly accepted: Effect.Effect<TestPeer>
    /** Every connection attempt so far, accepted or not, in order. */
    readonly attempts: Effect.Effect<ReadonlyArray<TestPeer>>
  }
>() {}

const answerHandshake = (peer: TestPeer, answer: Handshake): void => {
  const url = peer.request.redactedUrl
  switch (answer._tag) {
    case "Accept":
      return peer.open(answer.protocol ?? "")
    case "Refuse":
      return peer.fail(new ConnectionRefused({ url, detail: "ECONNREFUSED (in-memory test server)" }))
    case "Reject":
      return peer.fail(new HandshakeRejected({ url, status: answer.status, reason: "rejected by the test server" }))
    case "TlsFailure":
      return peer.fail(new TlsError({ url, detail: "certificate rejected (in-memory test server)" }))
    case "Hang":
      return
  }
}

const make = Effect.gen(function*() {
  let answer: (request: TransportRequest) => Handshake = () => Handshake.accept()
  const attempts: Array<TestPeer> = []
  const accepted = yield* Queue.unbounded<TestPeer>()

  const transport = WebSocketTransport.of({
    name: "in-memory",
    capabilities: fullCapabilities,
    open: (request, events) => {
      const peer = new TestPeer(attempts.length + 1, request, events)
      attempts.push(peer)
      const handshake = answer(request)
      answerHandshake(peer, handshake)
      if (handshake._tag === "Accept") Queue.unsafeOffer(accepted, peer)
      return peer.socket
    }
  })

  const server = WebSocketTestServer.of({
    setHandshake: (next) =>
      Effect.sync(() => {
        answer = typeof next === "function" ? next : () => next
      }),
    accepted: Queue.take(accepted),
    attempts: Effect.sync(() => [...attempts])
  })
  return { transport, server }
})

/** The in-memory transport together with its scriptable server. */
export const transportLayer: Layer.Layer<WebSocketTransport | WebSocketTestServer> = Layer.effectContext(
  Effect.map(make, ({ server, transport }) =>
    Context.make(WebSocketTransport, transport).pipe(Context.add(WebSocketTestServer, server)))
)

/** A `WebSocketClient` on the in-memory transport, plus the server that scripts it. */
export const layer: Layer.Layer<WebSocketClient | WebSocketTestServer> = clientLayer.pipe(
  Layer.provideMerge(transportLayer)
)
