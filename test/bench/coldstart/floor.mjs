/* global performance */
// Cold start, the Effect runtime's floor: the raw `ws` request of raw.mjs inside one `Effect.async` (the socket
// closed if interrupted), run with `Effect.runPromise`. Not a client: the least any client on Effect 3 loads and
// runs for one request.
import * as Effect from "effect/Effect"
import WebSocket from "ws"

const loaded = performance.now()
const request = (url, message) =>
  Effect.async((resume) => {
    const socket = new WebSocket(url)
    socket.on("open", () => socket.send(JSON.stringify(message)))
    socket.on("message", (data) => {
      socket.close()
      resume(Effect.succeed(JSON.parse(String(data))))
    })
    socket.on("error", (error) => resume(Effect.fail(error)))
    return Effect.sync(() => socket.terminate())
  })
Effect.runPromise(request(process.argv[2], { a: 1 })).then((reply) => {
  process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply })}\n`)
})
