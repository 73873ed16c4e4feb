import { Session } from "node:inspector/promises"
import { writeFileSync } from "node:fs"
import { startServer } from "./processes.js"
import { haws, ours, rawHa } from "./haContenders.js"
const server = await startServer("test/bench/haServer.ts")
const httpUrl = `http://127.0.0.1:${server.port}`
const N = Number(process.argv[2] ?? 5000)
const out = process.argv[3]
const session = new Session(); session.connect()
for (let round = 0; round < 4; round++) {
  const line: Array<string> = []
  let hawsUs = 0
  for (const c of [haws, ours, rawHa]) {
    if (out && round === 3 && c.name === (process.env.PROF ?? ours.name)) { await session.post("Profiler.enable"); await session.post("Profiler.setSamplingInterval", { interval: 50 }); await session.post("Profiler.start") }
    const cpu0 = process.cpuUsage()
    const ms = await c.callServices(httpUrl, "bench-token", N)
    const cpu = process.cpuUsage(cpu0)
    if (out && round === 3 && c.name === (process.env.PROF ?? ours.name)) { const { profile } = await session.post("Profiler.stop"); writeFileSync(out, JSON.stringify(profile)) }
    const us = ms * 1000 / N
    if (c === haws) hawsUs = us
    line.push(`${c.name} ${us.toFixed(1)} (${(us / hawsUs).toFixed(2)}) cpu ${((cpu.user + cpu.system) / N).toFixed(1)}`)
  }
  console.log(line.join(" | "))
}
server.stop()
