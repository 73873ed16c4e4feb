// The page the browser test runs: bundled by esbuild from the package's browser entry (the root import resolves to
// dist/web.js under the `browser` condition). Each function returns plain data for the test to assert.
import { Chunk, Effect, Fiber, type Scope, Stream } from "effect"
import {
  createWebSocketInterface,
  HomeAssistant,
  HomeAssistantLive,
  WebSocketClient,
  WebSocketClientLive
} from "effect-ws-gateway"

const withClient = <A, E>(f: (client: WebSocketClient["Type"]) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.runPromise(Effect.flatMap(WebSocketClient, f).pipe(Effect.scoped, Effect.provide(WebSocketClientLive)))

const errorOf = (error: { readonly _tag: string; readonly message: string }) => ({ tag: error._tag, message: error.message })

const tests = {
  request: (url: string) => withClient((client) => client.request({ url, message: { hello: "browser" } })),

  binary: (url: string) =>
    withClient((client) =>
      Effect.gen(function*() {
        const connection = yield* client.connect({ url })
        yield* client.send(connection, new Uint8Array([0, 255, 7]))
        const reply = yield* client.receive(connection)
        return { isBytes: reply instanceof Uint8Array, bytes: [...(reply as Uint8Array)], backpressure: connection.backpressure }
      })
    ),

  adapter: async (url: string) => {
    const ws = createWebSocketInterface()
    try {
      const connection = await ws.execute("connect", { url, timeout: 5 })
      const sent = await ws.execute("send", { connection, message: { n: 1 } })
      const received = await ws.execute("receive", { connection, timeout: 5 })
      const closed = await ws.execute("close", { connection })
      const request = await ws.execute("request", { url, message: "r" })
      const stats = await ws.execute("get_stats")
      const reset = await ws.execute("reset")
      const badParam = await ws.execute("send", { connection }).then(() => undefined, errorOf)
      return { sent, received, closed, request, stats, reset, badParam }
    } finally {
      await ws.dispose()
    }
  },

  homeAssistant: (httpUrl: string, accessToken: string) =>
    Effect.runPromise(
      Effect.gen(function*() {
        const ha = yield* HomeAssistant
        const states = yield* ha.getStates()
        const events = yield* Effect.fork(ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runCollect))
        yield* ha.ping() // after the subscription's command on the same socket, so it is registered first
        yield* ha.callService("light", "turn_on", undefined, { entity_id: "light.living_room" })
        const [event] = Chunk.toReadonlyArray(yield* Fiber.join(events).pipe(Effect.timeout("5 seconds")))
        return {
          version: yield* ha.haVersion,
          lights: states.filter((s) => s.entity_id.startsWith("light.")).map((s) => s.entity_id),
          event: event === undefined ? undefined : { type: event.event_type, data: event.data }
        }
      }).pipe(Effect.scoped, Effect.provide(HomeAssistantLive({ url: httpUrl, accessToken })))
    ),

  refused: (url: string) => withClient((client) => Effect.map(Effect.flip(client.connect({ url })), errorOf)),

  serverClose: (url: string) =>
    withClient((client) =>
      Effect.gen(function*() {
        const connection = yield* client.connect({ url })
        const error = yield* Effect.flip(client.receive(connection))
        return { ...errorOf(error), fields: error._tag === "ConnectionClosed" ? { code: error.code, reason: error.reason } : {} }
      })
    ),

  refusedHeaders: (url: string) => withClient((client) => Effect.map(Effect.flip(client.connect({ url, headers: { A: "b" } })), errorOf))
}

;(globalThis as { tests?: typeof tests }).tests = tests
