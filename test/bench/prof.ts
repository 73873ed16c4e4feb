import { startServer } from "./processes.js"
import { effectApi, platformSocket, rawWs } from "./socketContenders.js"
const echo = await startServer("test/bench/echoServer.mjs")
const url = `ws://127.0.0.1:${echo.port}`
const payload = { type: "bench", id: 12345678, value: "abcdefghijklmnopqrstuvwxyz0" }
const which = process.argv[2] ?? "effect"
const c = which === "raw" ? rawWs : which === "platform" ? platformSocket : effectApi
for (let i = 0; i < 2; i++) {
  const ms = await c.pipelined(url, 50_000, 1000, payload)
  console.log(which, Math.round(50_000 / (ms / 1000)), "msg/s")
}
echo.stop()
process.exit(0)
