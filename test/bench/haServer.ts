// The benchmark's Home Assistant: the library's simulator in its own process. Prints its port and runs until killed.
import { Effect } from "effect"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

Effect.runFork(Effect.scoped(Effect.gen(function*() {
  const sim = yield* HomeAssistantSimulator.make({ accessToken: "bench-token" })
  process.stdout.write(`${sim.port}\n`)
  yield* Effect.never
})))
process.on("SIGTERM", () => process.exit(0))
