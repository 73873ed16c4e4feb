// The benchmark's echo server, in its own process so the client's cost is what gets measured. Listens on
// 127.0.0.1:0, prints its port, echoes every message (text stays text, binary stays binary).
import { WebSocketServer } from "ws"

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, clientTracking: false }, () => {
  process.stdout.write(`${server.address().port}\n`)
})
server.on("connection", (socket) => {
  socket.on("error", () => undefined)
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }))
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
