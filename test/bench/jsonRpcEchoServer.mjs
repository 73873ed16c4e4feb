// The benchmark's JSON-RPC 2.0 echo server, in its own process so the client's cost is what gets measured. Listens
// on 127.0.0.1:0 and prints its port. Every request is answered at once, each in its own frame, with its params as
// the result: `{"jsonrpc":"2.0","id":N,"result":params}` (`null` without params). A notification (no id) gets no
// answer; a batch (an array) gets one array of the answers; a frame that is not JSON gets a -32700 parse error, and
// a request that is not JSON-RPC 2.0 a -32600 invalid request, as the spec says.
import { WebSocketServer } from "ws"

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, clientTracking: false }, () =>
  process.stdout.write(`${server.address().port}\n`))

const error = (id, code, message) => ({ jsonrpc: "2.0", id, error: { code, message } })
/** The answer to one request, or undefined for a notification. */
const answer = (request) => {
  if (request === null || typeof request !== "object" || request.jsonrpc !== "2.0" || typeof request.method !== "string") {
    return error(request?.id ?? null, -32600, "Invalid Request")
  }
  if (!("id" in request)) return undefined
  return { jsonrpc: "2.0", id: request.id, result: request.params ?? null }
}

server.on("connection", (socket) => {
  socket.on("error", () => undefined)
  socket.on("message", (data) => {
    let message
    try {
      message = JSON.parse(data.toString())
    } catch {
      return socket.send(JSON.stringify(error(null, -32700, "Parse error")))
    }
    if (Array.isArray(message)) {
      if (message.length === 0) return socket.send(JSON.stringify(error(null, -32600, "Invalid Request")))
      const answers = message.map(answer).filter((reply) => reply !== undefined)
      if (answers.length > 0) socket.send(JSON.stringify(answers))
      return
    }
    const reply = answer(message)
    if (reply !== undefined) socket.send(JSON.stringify(reply))
  })
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
