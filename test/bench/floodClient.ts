/**
 * One flood contender in its own process, so its peak RSS is its own: receives COUNT messages from the flood
 * server at PORT with a consumer slower than the server (64 messages per millisecond), then prints one JSON line
 * { peakHeap, heapBefore, peakRss, rssBefore, ms, count }.
 * raw ws cannot push back, so it queues everything in memory; the Effect API pauses the socket at its bound.
 */
import { Effect, Stream } from "effect"
import WebSocket from "ws"
import { WebSocketClient, WebSocketClientLive } from "../../src/index.js"

const [contender = "effect", portText = "0", countText = "1000"] = process.argv.slice(2)
const count = Number(countText)
const url = `ws://127.0.0.1:${portText}`
const liveHeap = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}
const heapBefore = liveHeap()
let peakHeap = heapBefore
const rssBefore = process.memoryUsage().rss
let peakRss = rssBefore
// RSS every 4,096 messages; live heap (after a full GC) ten times per run: the held backlog, not garbage
const sample = (n: number) => {
  if (n % 4096 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
  if (n % Math.max(1, Math.floor(count / 10)) === 0) peakHeap = Math.max(peakHeap, liveHeap())
}
const start = performance.now()

const rawWs = () =>
  new Promise<number>((done) => {
    const socket = new WebSocket(url, { perMessageDeflate: false })
    const queue: Array<string> = []
    let consumed = 0
    let head = 0
    socket.on("message", (data) => queue.push(String(data)))
    // the slow consumer: 64 messages per millisecond, slower than the server sends
    const consume = () => {
      for (let i = 0; i < 64 && head < queue.length; i++) {
        head++
        sample(++consumed)
      }
      if (consumed >= count) {
        socket.terminate()
        return done(consumed)
      }
      setTimeout(consume, 1)
    }
    consume()
  })

const effectApi = () =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const client = yield* WebSocketClient
    const connection = yield* client.connect({ url, bufferSize: 1024 })
    let consumed = 0
    yield* connection.messages.pipe(
      Stream.take(count),
      Stream.tap(() => Effect.suspend(() => {
        sample(++consumed)
        return consumed % 64 === 0 ? Effect.sleep("1 millis") : Effect.void
      })),
      Stream.runDrain
    )
    return consumed
  })).pipe(Effect.provide(WebSocketClientLive)))

const consumed = await (contender === "raw" ? rawWs() : effectApi())
console.log(JSON.stringify({ peakHeap, heapBefore, peakRss, rssBefore, ms: performance.now() - start, count: consumed }))
process.exit(0)
