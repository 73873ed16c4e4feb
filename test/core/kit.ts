/** Shared fixtures of the core tests: a fresh in-memory client and server per test. */
import { Effect, type Scope } from "effect"
import { WebSocketClient } from "../../src/index.js"
import { WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"

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
