// A flood server in its own process, so the client's memory is measured alone. It listens on 127.0.0.1:0,
// prints its port, and pushes COUNT small messages ("0", "1", ...) to the first client, respecting TCP
// backpressure (it waits while more than 1 MiB is queued), then closes with 1000. It exits when that client leaves.
import { WebSocketServer } from "ws"

const count = Number(process.argv[2] ?? "1000000")
const server = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
  process.stdout.write(`${server.address().port}\n`)
})
server.on("connection", (socket) => {
  let next = 0
  const pump = () => {
    while (next < count && socket.bufferedAmount < 1024 * 1024) socket.send(String(next++))
    if (next < count) setImmediate(pump)
    else socket.close(1000, "done")
  }
  pump()
  socket.on("close", () => server.close(() => process.exit(0)))
})
process.on("disconnect", () => process.exit(0))
