// The real-socket core suites again, on Node's own global WebSocket: `npm run test:global-websocket` starts Node
// with --experimental-websocket (needed on Node 20; the default from 22), so test/core/transports.ts picks it, and
// test/package/run-global-websocket.mjs runs the same on Node 22 and 24 without the flag, each with its own report
// (--outputFile.json). global-websocket.check.ts checks that each run is on the Node and WebSocket it claims.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: [
      "test/core/node.test.ts", "test/core/node-volume.test.ts", "test/reliability/faults-interrupt.test.ts",
      "test/package/global-websocket.check.ts"
    ],
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-global-websocket-report.json" },
    testTimeout: 20_000,
    hookTimeout: 20_000
  }
})
