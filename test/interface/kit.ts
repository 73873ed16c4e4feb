/** Shared fixtures of the interface tests: the interface over a fresh in-memory client per test. */
import { Effect, Layer, type Scope } from "effect"
import { type WebSocketClient, type WebSocketInterface, WebSocketInterfaceLive } from "../../src/index.js"
import { WebSocketTest, type WebSocketTestServer } from "../../src/testing/index.js"

export const url = "ws://example.test/"

/** The interface over an in-memory client, with the client and the scriptable server. */
export const interfaceLayer = WebSocketInterfaceLive.pipe(Layer.provideMerge(WebSocketTest.layer))

/** Runs a test body with its own interface, client, in-memory server and scope. */
export const run = <A, E>(
  effect: Effect.Effect<A, E, WebSocketInterface | WebSocketClient | WebSocketTestServer | Scope.Scope>
) => Effect.provide(Effect.scoped(effect), interfaceLayer)
