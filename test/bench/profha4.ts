import { Deferred, Effect } from "effect"
import { WebSocketClient, WebSocketClientLive } from "../../src/index.js"
import { startServer } from "./processes.js"
const server = await startServer("test/bench/haServer.ts")
const url = `ws://127.0.0.1:${server.port}/api/websocket`
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const client = yield* WebSocketClient
  const c = yield* client.connect({ url })
  yield* client.receive(c)
  yield* client.send(c, { type: "auth", access_token: "bench-token" })
  yield* client.receive(c)
  let pending: Deferred.Deferred<unknown> | undefined
  yield* Effect.forkScoped(Effect.forever(Effect.flatMap(client.receive(c), (m) => Effect.sync(() => { if (pending) Deferred.unsafeDone(pending, Effect.succeed(m)) }))))
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now()
    for (let id = 1 + round * 5000; id <= 5000 + round * 5000; id++) {
      const d = yield* Deferred.make<unknown>()
      pending = d
      yield* client.send(c, { id, type: "call_service", domain: "light", service: "toggle", target: { entity_id: "light.kitchen" } })
      yield* Deferred.await(d)
    }
    console.log("two fibers", ((performance.now() - t0) / 5000 * 1000).toFixed(1), "µs/call")
  }
})).pipe(Effect.provide(WebSocketClientLive)))
server.stop()
process.exit(0)
