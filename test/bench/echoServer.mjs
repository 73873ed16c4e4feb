// The benchmark's echo server, in its own process so the client's cost is what gets measured. Listens on
// 127.0.0.1:0, prints its port, echoes every message (text stays text, binary stays binary).
// The accept backlog is raised from Node's 511 (the kernel caps it at net.core.somaxconn): with 511, opening 10k
// connections at once overflowed the accept queue (nstat: ~40k ListenOverflows, ~31k SYN retransmits per `--only
// open` run), so "time to open all" measured the kernel's 1 s / 3 s SYN retransmit timers instead of the client.
import { WebSocketServer } from "ws"

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, backlog: 65_535, perMessageDeflate: false, clientTracking: false }, () => {
  process.stdout.write(`${server.address().port}\n`)
})
server.on("connection", (socket) => {
  socket.on("error", () => undefined)
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }))
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
