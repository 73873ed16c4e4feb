import { startServer } from "./processes.js"
import { effectApi, rawWs, platformSocket } from "./socketContenders.js"
const PAYLOAD = { type: "bench", id: 12345678, value: "abcdefghijklmnopqrstuvwxyz0" }
const server = await startServer("test/bench/echoServer.mjs")
const url = `ws://127.0.0.1:${server.port}`
const N = Number(process.argv[2] ?? 100000)
for (let round = 0; round < 4; round++) {
  const line: Array<string> = []
  let base = 0
  for (const c of [rawWs, effectApi, platformSocket]) {
    const ms = await c.pipelined(url, N, 1000, PAYLOAD)
    const rate = N / ms * 1000
    if (c === rawWs) base = rate
    line.push(`${c.name} ${Math.round(rate)} (${(rate / base).toFixed(2)})`)
  }
  console.log(line.join(" | "))
}
server.stop()
