/* global performance */
// Cold start, raw `ws` by hand: connect, send one message, parse the first reply, close.
import WebSocket from "ws"

const loaded = performance.now()
const socket = new WebSocket(process.argv[2])
socket.on("open", () => socket.send(JSON.stringify({ a: 1 })))
socket.on("message", (data) => {
  const reply = JSON.parse(String(data))
  process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply })}\n`)
  socket.close()
})
