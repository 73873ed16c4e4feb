// A stand-in for a serverless runtime: imports the handlers once, then runs one invocation per line of stdin
// (`{"handler": name, "event": {...}}`), answering each with one line of JSON: its result or error and how long it
// took. Unhandled rejections are reported, never swallowed. At the end of stdin it stops reading; whether the
// process then exits by itself tells whether anything still holds the event loop open.
import { performance } from "node:perf_hooks"
import { createInterface } from "node:readline"
import * as handlers from "./handlers.mjs"

const unhandled = []
process.on("unhandledRejection", (reason) => unhandled.push(String(reason)))

const lines = createInterface({ input: process.stdin })
lines.on("line", async (line) => {
  const { handler, event } = JSON.parse(line)
  const started = performance.now()
  try {
    const result = await handlers[handler](event)
    console.log(JSON.stringify({ ok: true, result, ms: performance.now() - started, unhandled }))
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: error?._tag ?? String(error), ms: performance.now() - started, unhandled }))
  }
})
lines.on("close", () => process.stdin.unref?.())
