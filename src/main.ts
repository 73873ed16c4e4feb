/**
 * `npm start`: a short tour of the core API against a local echo server this program starts itself on
 * 127.0.0.1 (a random free port) and stops before it exits.
 */
import { Console, Effect, Stream } from "effect"
import { WebSocketServer } from "ws"
import { WebSocketClient, WebSocketClientLive } from "./index.js"

/** A loopback echo server, closed when the scope closes. */
const echoServer = Effect.acquireRelease(
  Effect.async<WebSocketServer>((resume) => {
    const server: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () =>
      resume(Effect.succeed(server)))
    server.on("connection", (socket) => {
      socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }))
    })
  }),
  (server) =>
    Effect.async<void>((resume) => {
      for (const client of server.clients) client.terminate()
      server.close(() => resume(Effect.void))
    })
)

const program = Effect.gen(function*() {
  const server = yield* echoServer
  const address = server.address()
  const url = `ws://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  const client = yield* WebSocketClient
  yield* Console.log(`echo server listening on ${url}`)

  // A scoped connection: closed with 1000 when this block ends, however it ends.
  yield* Effect.scoped(Effect.gen(function*() {
    const connection = yield* client.connect({ url, timeout: "5 seconds" })
    yield* client.send(connection, { type: "greeting", text: "hello" })
    yield* Console.log("JSON round trip:", yield* client.receive(connection, { timeout: "5 seconds" }))
    yield* client.send(connection, "plain text stays text")
    yield* Console.log("text round trip:", yield* client.receive(connection))
    yield* Effect.forEach(["one", "two", "three"], (m) => client.send(connection, m))
    const streamed = yield* connection.messages.pipe(Stream.take(3), Stream.runCollect)
    yield* Console.log("streamed:", [...streamed])
  }))

  yield* Console.log("request/reply:", yield* client.request({ url, message: { ping: 1 }, timeout: "5 seconds" }))
  yield* Console.log("stats:", yield* client.getStats)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(WebSocketClientLive))).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
