// A connect by host name (`localhost`) to a fresh server on 127.0.0.1, under a host policy that denies loopback: the
// lookup must run for the policy to refuse it. Shared by the host-policy tests and the Node-before-20.16 test.
import { Effect, type Exit } from "effect"
import { WebSocketClient, WebSocketClientLiveWith } from "../../src/index.js"
import { wsServer } from "../core/servers.js"

/** The Node client denying every loopback address (IPv4 and IPv6). */
export const loopbackDenied = WebSocketClientLiveWith({ hostPolicy: { denyAddresses: ["127.0.0.1/32", "::1/128"] } })

/** Connects to `ws://localhost:PORT/` of a new server: the exit, the server, and how many connections it has seen. */
export const connectByName = Effect.gen(function*() {
  const server = yield* wsServer()
  let connections = 0
  server.server.on("connection", () => connections++)
  const client = yield* WebSocketClient
  const exit: Exit.Exit<unknown, unknown> = yield* Effect.exit(Effect.scoped(client.connect({ url: `ws://localhost:${server.port}/` })))
  return { exit, server, connections: () => connections }
})
