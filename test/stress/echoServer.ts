/** A plain loopback echo server that keeps no reference to its connections (so heap figures are the client's). */
import { Effect } from "effect"
import { WebSocketServer } from "ws"

export const echoServer = Effect.acquireRelease(
  Effect.async<{ server: WebSocketServer; url: string }>((resume) => {
    const server: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0, clientTracking: true }, () => {
      const address = server.address()
      resume(Effect.succeed({ server, url: `ws://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}` }))
    })
    server.on("connection", (socket) => {
      socket.on("error", () => undefined)
      socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      for (const client of server.clients) client.terminate()
      server.close(() => resume(Effect.void))
    })
)
