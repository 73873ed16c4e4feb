import { Session } from "node:inspector/promises"
import { Context, Effect, Layer } from "effect"
import { HomeAssistant, HomeAssistantLayer, WebSocketClientLive } from "../../src/index.js"
import { startServer } from "./processes.js"
const server = await startServer("test/bench/haServer.ts")
const httpUrl = `http://127.0.0.1:${server.port}`
const N = 5000
const s = new Session(); s.connect()
type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const context = yield* Layer.build(HomeAssistantLayer({ url: httpUrl, accessToken: "bench-token", heartbeat: false }).pipe(Layer.provide(WebSocketClientLive)))
  const ha = Context.get(context, HomeAssistant)
  const target = { entity_id: "light.kitchen" }
  for (let i = 0; i < N; i++) yield* ha.callService("light", "toggle", undefined, target)
  yield* Effect.promise(() => s.post("HeapProfiler.startSampling", { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never))
  for (let i = 0; i < N; i++) yield* ha.callService("light", "toggle", undefined, target)
  const { profile } = yield* Effect.promise(() => s.post("HeapProfiler.stopSampling"))
  const agg = new Map<string, number>(); let total = 0
  const walk = (n: Node) => { const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`; agg.set(k, (agg.get(k) ?? 0) + n.selfSize); total += n.selfSize; n.children.forEach(walk) }
  walk(profile.head as unknown as Node)
  console.log("bytes/call", Math.round(total / N))
  for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(Math.round(v / N)).padStart(6), k)
})))
server.stop()
process.exit(0)
