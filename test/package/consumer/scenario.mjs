// What the runtimes test runs in Deno, Bun and workerd, from the fresh project where effect-ws-gateway was installed
// from its tarball: the root entry as each runtime resolves it, against servers on 127.0.0.1.
import { Effect } from "effect"
import { HomeAssistant, HomeAssistantLive, JsonRpc, JsonRpcLive, WebSocketClient, WebSocketClientLive } from "effect-ws-gateway"

const FLOOD = 50_000

export const scenario = async (runtime, echoUrl, haUrl, token) => {
  const core = await Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* WebSocketClient
      const reply = yield* client.request({ url: echoUrl, message: { hello: runtime } })
      // Which transport the runtime got: the web one refuses handshake headers by name; Node's ws sends them.
      const headers = yield* Effect.either(Effect.scoped(client.connect({ url: echoUrl, headers: { "X-Key": "k" } })))
      const connection = yield* client.connect({ url: echoUrl })
      yield* client.send(connection, new Uint8Array([1, 2, 3]))
      const bytes = yield* client.receive(connection)
      yield* client.close(connection, { code: 4001, reason: "done" })
      // A flood to a consumer that waits first: with backpressure the socket stops reading near `bufferSize`;
      // without it (the WHATWG API) everything is held. Either way every message arrives, in order.
      const flooded = yield* client.connect({ url: echoUrl, bufferSize: 16 })
      yield* client.send(flooded, `flood ${FLOOD}`)
      yield* Effect.sleep("1 second")
      const heldAfterWait = flooded.buffered
      let inOrder = 0
      for (let i = 0; i < FLOOD; i++) if (String(yield* client.receive(flooded)).startsWith(`${i} `)) inOrder++
      const flood = { backpressure: flooded.backpressure, heldAfterWait, peakBuffered: flooded.peakBuffered, inOrder }
      // Pings every 100 ms, each pong due within 300 ms: still open a second later only if the pongs came back.
      const heartbeat = yield* Effect.either(Effect.scoped(Effect.gen(function*() {
        const beating = yield* client.connect({ url: echoUrl, heartbeat: { interval: "100 millis", timeout: "300 millis" } })
        yield* Effect.sleep("1 second")
        return beating.state
      })))
      // A 64-byte bound on inbound messages, and a 1,000-byte echo.
      const maxPayload = yield* Effect.either(Effect.scoped(Effect.gen(function*() {
        const bounded = yield* client.connect({ url: echoUrl, maxPayload: 64 })
        yield* client.send(bounded, "x".repeat(1000))
        return yield* client.receive(bounded)
      })))
      const outcome = (either) => either._tag === "Left" ? `${either.left._tag}: ${either.left.message}` : either.right
      return {
        reply,
        headers: headers._tag === "Left" ? headers.left.message : "sent",
        bytes: Array.from(bytes),
        flood,
        heartbeat: outcome(heartbeat),
        maxPayload: outcome(maxPayload)
      }
    }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive))
  )
  const ha = await Effect.runPromise(
    Effect.gen(function*() {
      const ha = yield* HomeAssistant
      const before = yield* ha.getStates()
      yield* ha.callService("light", "turn_on", undefined, { entity_id: "light.kitchen" })
      const kitchen = (yield* ha.getStates()).find((entity) => entity.entity_id === "light.kitchen")
      return { haVersion: yield* ha.haVersion, entities: before.length, kitchen: kitchen?.state }
    }).pipe(Effect.scoped, Effect.provide(HomeAssistantLive({ url: haUrl, accessToken: token })))
  )
  // The JSON-RPC client of the same entry, on the echo server (which answers JSON-RPC with the params).
  const jsonRpc = await Effect.runPromise(
    Effect.gen(function*() {
      const rpc = yield* JsonRpc
      const request = yield* rpc.request("echo", [runtime])
      const batch = yield* rpc.batch([{ method: "echo", params: [1] }, { method: "echo", params: [2] }])
      return { request, batch: batch.map((either) => either.toJSON()) }
    }).pipe(Effect.scoped, Effect.provide(JsonRpcLive({ url: echoUrl })))
  )
  return { runtime, ...core, ha, jsonRpc }
}
