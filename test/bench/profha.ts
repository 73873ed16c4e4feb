import { haws, ours, rawHa } from "./haContenders.js"
import { startServer } from "./processes.js"
const server = await startServer("test/bench/haServer.ts")
const url = `http://127.0.0.1:${server.port}`
const c = process.argv[2] === "haws" ? haws : process.argv[2] === "raw" ? rawHa : ours
for (let i = 0; i < 3; i++) console.log(c.name, ((await c.callServices(url, "bench-token", 5000)) / 5000 * 1000).toFixed(1), "µs/call")
server.stop()
process.exit(0)
