// The web entry under plain Node, on Node's own global WebSocket (Node 22 and later without a flag, Node 20 with
// --experimental-websocket). It prints the flags it was started with, so the test sees that none was needed.
import { Effect } from "effect"
import { WebSocketServer } from "ws"
import { WebSocketClient, WebSocketClientLive } from "effect-ws-gateway/web"

const server = await new Promise((resolve) => {
  const s = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(s))
})
server.on("connection", (socket) => socket.on("message", (data) => socket.send(data.toString())))
try {
  const reply = await Effect.runPromise(
    Effect.flatMap(WebSocketClient, (client) =>
      Effect.zip(
        client.request({ url: `ws://127.0.0.1:${server.address().port}`, message: { hello: "web" } }),
        Effect.flip(client.connect({ url: `ws://127.0.0.1:${server.address().port}`, headers: { "X-Key": "k" } }))
      )).pipe(Effect.scoped, Effect.provide(WebSocketClientLive))
  )
  console.log(JSON.stringify({ node: process.version, flags: process.execArgv, reply: reply[0], headers: reply[1].message }))
} finally {
  await new Promise((resolve) => server.close(resolve))
}
