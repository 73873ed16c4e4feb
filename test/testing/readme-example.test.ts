// The test kit's example (src/testing/README.md), kept here verbatim (imports aside) so it stays true.
import { expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, TestClock } from "effect"
import { Timeout, WebSocketClient } from "../../src/index.js"
import { WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"

it.effect("receive times out on a silent server", () =>
  Effect.gen(function*() {
    const client = yield* WebSocketClient
    const server = yield* WebSocketTestServer
    const connection = yield* client.connect({ url: "ws://service.test/" })
    const peer = yield* server.accepted           // the server's side of that connection
    yield* peer.push({ hello: "world" })          // push text (objects as JSON) or peer.pushBinary(bytes)
    expect(yield* client.receive(connection)).toStrictEqual({ hello: "world" })

    const fiber = yield* Effect.fork(client.receive(connection, { timeout: "30 seconds" }))
    yield* TestClock.adjust("30 seconds")
    expect(yield* Fiber.await(fiber)).toStrictEqual(
      Exit.fail(new Timeout({ operation: "receive", after: Duration.seconds(30) })))
  }).pipe(Effect.scoped, Effect.provide(WebSocketTest.layer)))
