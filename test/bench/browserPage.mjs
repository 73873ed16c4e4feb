/* global WebSocket, performance */
// The bench's Chromium page: sequential send→receive on the page's raw WebSocket and through our web transport,
// same page, same echo server. Bundled by esbuild from the built package's browser entry. Each returns the mean
// round trip in ms over the whole run: a page's performance.now() is coarsened (~100 µs), too coarse per message.
import { Effect } from "effect"
import { WebSocketClient, WebSocketClientLive } from "effect-ws-gateway"

const PAYLOAD = { type: "bench", id: 12345678, value: "abcdefghijklmnopqrstuvwxyz0" }

const raw = (url, count) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    let i = 0
    let started = 0
    const next = () => socket.send(JSON.stringify(PAYLOAD))
    socket.onopen = () => {
      started = performance.now()
      next()
    }
    socket.onerror = () => reject(new Error("raw WebSocket failed"))
    socket.onmessage = (event) => {
      JSON.parse(event.data)
      if (++i < count) return next()
      const mean = (performance.now() - started) / count
      socket.close()
      resolve(mean)
    }
  })

const ours = (url, count) =>
  Effect.runPromise(Effect.gen(function*() {
    const client = yield* WebSocketClient
    const connection = yield* client.connect({ url })
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      yield* client.send(connection, PAYLOAD)
      yield* client.receive(connection)
    }
    return (performance.now() - started) / count
  }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive)))

// The runtime floor: the raw WebSocket driven from an Effect fiber the cheapest way, one Effect.async per reply.
const floor = (url, count) =>
  Effect.runPromise(Effect.gen(function*() {
    const socket = new WebSocket(url)
    let waiting
    socket.onmessage = (event) => waiting?.(Effect.succeed(JSON.parse(event.data)))
    yield* Effect.async((resume) => {
      socket.onopen = () => resume(Effect.void)
    })
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      yield* Effect.sync(() => socket.send(JSON.stringify(PAYLOAD)))
      yield* Effect.async((resume) => {
        waiting = resume
      })
    }
    const mean = (performance.now() - started) / count
    socket.close()
    return mean
  }))

globalThis.bench = { raw, ours, floor }
