// CommonJS: require() of the ESM package (Node >= 20.19 / 22.12 load ESM synchronously).
const { version } = require("node:process")
const { Effect } = require("effect")
const { WebSocketServer } = require("ws")
const { WebSocketClient, WebSocketClientLive } = require("effect-ws-gateway")
const { WebSocketTest } = require("effect-ws-gateway/testing")

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 }, async () => {
  server.on("connection", (socket) => socket.on("message", (data) => socket.send(data.toString())))
  const url = `ws://127.0.0.1:${server.address().port}`
  try {
    const reply = await Effect.runPromise(
      Effect.flatMap(WebSocketClient, (client) => client.request({ url, message: { hello: "cjs" } })).pipe(
        Effect.provide(WebSocketClientLive)
      )
    )
    console.log(JSON.stringify({ node: version, reply, testKit: typeof WebSocketTest.layer }))
  } finally {
    server.close()
  }
})
