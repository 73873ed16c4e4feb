import { Session } from "node:inspector/promises"
import { writeFileSync } from "node:fs"
import { startServer } from "./processes.js"
import { effectApi, rawWs } from "./socketContenders.js"
const PAYLOAD = { type: "bench", id: 12345678, value: "abcdefghijklmnopqrstuvwxyz0" }
const server = await startServer("test/bench/echoServer.mjs")
const url = `ws://127.0.0.1:${server.port}`
const c = process.argv[2] === "raw" ? rawWs : effectApi
const session = new Session(); session.connect()
await c.pipelined(url, 100000, 1000, PAYLOAD)
await session.post("Profiler.enable"); await session.post("Profiler.start")
const cpu0 = process.cpuUsage()
const ms = await c.pipelined(url, 200000, 1000, PAYLOAD)
const cpu = process.cpuUsage(cpu0)
const { profile } = await session.post("Profiler.stop"); writeFileSync(process.argv[3]!, JSON.stringify(profile))
console.log(c.name, (ms * 1000 / 200000).toFixed(2), "us/msg", ((cpu.user + cpu.system) / 200000).toFixed(2), "cpu us/msg")
server.stop()
