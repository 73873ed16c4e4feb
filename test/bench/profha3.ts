import { Context, Effect, Layer } from "effect"
import { HomeAssistant, HomeAssistantLayer, WebSocketClientLive } from "../../src/index.js"
import { startServer } from "./processes.js"
const server = await startServer("test/bench/haServer.ts")
const g = globalThis as any
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const ctx = yield* Layer.build(HomeAssistantLayer({ url: `http://127.0.0.1:${server.port}`, accessToken: "bench-token", heartbeat: false }).pipe(Layer.provide(WebSocketClientLive)))
  const ha = Context.get(ctx, HomeAssistant)
  const sums = [0, 0, 0, 0]
  for (let i = 0; i < 6000; i++) {
    const a = performance.now()
    yield* ha.callService("light", "toggle", undefined, { entity_id: "light.kitchen" })
    const b = performance.now()
    if (i >= 1000) { sums[0] += g.__t0 - a; sums[1] += g.__t1 - g.__t0; sums[2] += g.__t2 - g.__t1; sums[3] += b - g.__t2 }
  }
  console.log("before-send", (sums[0] / 5000 * 1000).toFixed(1), "send", (sums[1] / 5000 * 1000).toFixed(1), "wait-reply", (sums[2] / 5000 * 1000).toFixed(1), "after", (sums[3] / 5000 * 1000).toFixed(1))
})).pipe(Effect.provide(Layer.empty)))
server.stop()
process.exit(0)
