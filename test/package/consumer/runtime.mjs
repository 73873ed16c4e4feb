// Run by Deno or Bun inside the fresh project (see scenario.mjs): prints what the scenario saw, as JSON.
import { scenario } from "./scenario.mjs"

const [echoUrl, haUrl, token] = globalThis.Deno?.args ?? process.argv.slice(2)
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node"
console.log(JSON.stringify(await scenario(runtime, echoUrl, haUrl, token)))
