/**
 * Paired A/B of the Effect API's request cycle between two builds of this repository, loaded in one process:
 * `node --expose-gc test/bench/pairedRequest.mjs DIR_A DIR_B [rounds] [cycles]`, where each DIR is a
 * `tsc -p test/bench/tsconfig.json --outDir DIR` build (inside the repository, so `node_modules` resolves).
 * Rounds alternate A B / B A, then the runtime floor with request's guarantee (closed if interrupted); it prints
 * the median B/A ratio of CPU and wall time per cycle with a bootstrap 95% interval. Changes of a few percent show
 * here where unpaired rounds on a shared machine spread ±15%. Build the same code twice for an A/A control.
 */
import { spawn } from "node:child_process"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"

const [dirA, dirB, roundsArg, cyclesArg] = process.argv.slice(2)
if (dirA === undefined || dirB === undefined) {
  console.error("usage: node --expose-gc test/bench/pairedRequest.mjs DIR_A DIR_B [rounds=40] [cycles=300]")
  process.exit(2)
}
const contenders = (dir) => import(pathToFileURL(resolve(dir, "test/bench/socketContenders.js")).href)
const A = await contenders(dirA)
const B = await contenders(dirB)
const PAYLOAD = { type: "bench", id: 12345678, value: "abcdefghijklmnopqrstuvwxyz0" }
const rounds = Number(roundsArg ?? 40)
const cycles = Number(cyclesArg ?? 300)

const server = spawn(process.execPath, [resolve(import.meta.dirname, "echoServer.mjs")], { stdio: ["ignore", "pipe", "inherit"] })
const port = await new Promise((done) => server.stdout.once("data", (chunk) => done(Number(String(chunk).trim()))))
const url = `ws://127.0.0.1:${port}`
try {
  const variants = { A: A.effectApi, B: B.effectApi, floor: A.requestFloor }
  for (const variant of Object.values(variants)) await variant.requestCycles(url, cycles, PAYLOAD)
  const cpu = { A: [], B: [], floor: [] }
  const wall = { A: [], B: [], floor: [] }
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? ["A", "B", "floor"] : ["B", "A", "floor"]) {
      const before = process.cpuUsage()
      const ms = await variants[name].requestCycles(url, cycles, PAYLOAD)
      const used = process.cpuUsage(before)
      cpu[name].push((used.user + used.system) / cycles)
      wall[name].push((ms * 1000) / cycles)
    }
  }
  const median = (values) => {
    const sorted = [...values].sort((x, y) => x - y)
    const mid = sorted.length >> 1
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }
  const interval = (ratios) => {
    const medians = []
    for (let i = 0; i < 2000; i++) medians.push(median(ratios.map(() => ratios[Math.floor(Math.random() * ratios.length)])))
    medians.sort((x, y) => x - y)
    return [medians[50], medians[1949]]
  }
  for (const [metric, samples] of [["cpu", cpu], ["wall", wall]]) {
    const ratios = samples.B.map((b, i) => b / samples.A[i])
    const [low, high] = interval(ratios)
    console.log(
      `${metric} µs/cycle: A ${median(samples.A).toFixed(1)}, B ${median(samples.B).toFixed(1)}, floor ${median(samples.floor).toFixed(1)};`,
      `B/A ${median(ratios).toFixed(3)} (95% ${low.toFixed(3)}–${high.toFixed(3)})`
    )
  }
} finally {
  server.kill()
}
