/* global performance */
// Cold start, ours: the Effect API's `WebSocketClient.request` on the default Node client (`WebSocketClientLive`),
// imported from the built package. Run as it is (argv: url) and bundled by the bench (test/bench/startup.ts).
import * as Effect from "effect/Effect"
import { WebSocketClient, WebSocketClientLive } from "effect-ws-gateway"

const loaded = performance.now()
const url = process.argv[2]
Effect.runPromise(
  Effect.flatMap(WebSocketClient, (client) => client.request({ url, message: { a: 1 } })).pipe(Effect.provide(WebSocketClientLive))
).then((reply) => {
  process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply })}\n`)
})
