/** Shared fixtures of the core tests: a fresh in-memory client and server per test. */
import { expect } from "@effect/vitest"
import { Effect, Fiber, type Scope, TestClock, Tracer } from "effect"
import { WebSocketClient } from "../../src/index.js"
import { type TestPeer, WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"

export const url = "ws://example.test/"

/** Runs a test body with its own client, in-memory server and scope. */
export const run = <A, E>(effect: Effect.Effect<A, E, WebSocketClient | WebSocketTestServer | Scope.Scope>) =>
  Effect.provide(Effect.scoped(effect), WebSocketTest.layer)

/** A client connected to the in-memory server, with the server's side of the connection. */
export const connected = Effect.gen(function*() {
  const client = yield* WebSocketClient
  const server = yield* WebSocketTestServer
  const connection = yield* client.connect({ url })
  const peer = yield* server.accepted
  return { client, server, connection, peer }
})

/**
 * Runs `closing` (which closes the connections of `peers`, none of which answers a close frame) and checks that they
 * close together: just short of `closeTimeoutMs` every close frame is out and none is closed, at it all are.
 */
export const expectClosedTogether = (closing: Effect.Effect<void>, peers: ReadonlyArray<TestPeer>, closeTimeoutMs: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(closing)
    yield* TestClock.adjust(closeTimeoutMs - 1)
    expect(peers.map((peer) => peer.closeFrame?.code)).toStrictEqual(peers.map(() => 1000))
    expect(peers.map((peer) => peer.isClosed)).toStrictEqual(peers.map(() => false))
    yield* TestClock.adjust(1)
    yield* Fiber.join(fiber)
    expect(peers.map((peer) => peer.isClosed)).toStrictEqual(peers.map(() => true))
  })

/** A tracer that records every span it starts, over the current one: install it with `Effect.withTracer`. */
export const recordingTracer = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: base.context
  })
  return { spans, tracer }
})
