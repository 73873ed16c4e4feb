// Run inside a fresh project where effect-ws-gateway was installed from its tarball: plain Node, no loader.
import { Effect } from "effect"
import { WebSocketServer } from "ws"
import { WebSocketClient, WebSocketClientLive } from "effect-ws-gateway"
import { WebSocketTest, WebSocketTestServer } from "effect-ws-gateway/testing"

const server = await new Promise((resolve) => {
  const s = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(s))
})
server.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
const url = `ws://127.0.0.1:${server.address().port}`

try {
  const reply = await Effect.runPromise(
    Effect.flatMap(WebSocketClient, (client) => client.request({ url, message: { hello: "esm" } })).pipe(
      Effect.provide(WebSocketClientLive)
    )
  )
  // The test kit from ./testing: an in-memory server that answers the client.
  const inMemory = await Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* WebSocketClient
      const testServer = yield* WebSocketTestServer
      const connection = yield* client.connect({ url: "ws://service.test/" })
      const peer = yield* testServer.accepted
      yield* peer.push({ from: "test kit" })
      return yield* client.receive(connection)
    }).pipe(Effect.scoped, Effect.provide(WebSocketTest.layer))
  )
  console.log(JSON.stringify({ node: process.version, reply, inMemory }))
} finally {
  await new Promise((resolve) => server.close(resolve))
}
