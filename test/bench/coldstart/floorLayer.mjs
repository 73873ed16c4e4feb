/* global performance */
// Cold start, the floor with the client's shape: raw.mjs's request as a service provided by a Layer (one
// `Layer.scoped` whose scope terminates any socket still open), its `request` one `Effect.async` that resumes once
// the socket has closed, as `request` does (it returns only after the close handshake). Not a client: the least a
// client on Effect 3 that is a Layer, as WebSocketClientLive is, loads and runs for one request.
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import WebSocket from "ws"

const loaded = performance.now()
const Client = Context.GenericTag("Client")
const ClientLive = Layer.scoped(
  Client,
  Effect.map(
    Effect.acquireRelease(Effect.sync(() => new Set()), (open) => Effect.sync(() => open.forEach((socket) => socket.terminate()))),
    (open) => ({
      request: (url, message) =>
        Effect.async((resume) => {
          const socket = new WebSocket(url)
          open.add(socket)
          let reply
          socket.on("open", () => socket.send(JSON.stringify(message)))
          socket.on("message", (data) => {
            reply = JSON.parse(String(data))
            socket.close()
          })
          socket.on("error", (error) => resume(Effect.fail(error)))
          socket.on("close", () => {
            open.delete(socket)
            resume(reply === undefined ? Effect.fail(new Error("closed before a reply")) : Effect.succeed(reply))
          })
          return Effect.sync(() => socket.terminate())
        })
    })
  )
)
Effect.runPromise(Effect.flatMap(Client, (client) => client.request(process.argv[2], { a: 1 })).pipe(Effect.provide(ClientLive))).then(
  (reply) => {
    process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply })}\n`)
  }
)
