// Run only by test/vitest.global-websocket.config.ts: checks that the run is what it claims, so a run on the wrong
// Node or without the global WebSocket (where the core suites quietly fall back to ws) cannot pass as this one.
// Node 20 gets the global WebSocket from --experimental-websocket (`npm run test:global-websocket`); Node 22 and 24
// need no flag (run-global-websocket.mjs starts vitest on them without one, and says which Node it meant).
import { describe, expect, it } from "vitest"
import { realTransports } from "../core/transports.js"

const major = Number(process.versions.node.split(".")[0])
const flagged = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes("--experimental-websocket")

describe(`the global-websocket run on Node ${process.version}`, () => {
  it("runs the core suites on Node's global WebSocket alone", () => {
    expect(typeof (globalThis as { readonly WebSocket?: unknown }).WebSocket).toBe("function")
    expect(realTransports.map((transport) => transport.name)).toStrictEqual(["web transport on Node's global WebSocket"])
  })

  if (major < 22) {
    it("has it from --experimental-websocket (Node 20)", () => {
      expect(flagged).toBe(true)
    })
  }

  // Started by run-global-websocket.mjs: on the Node it was started for, with no flag. (A developer's own Node 22+
  // under `npm run test:global-websocket` has the flag too, harmlessly.)
  const requested = process.env.GLOBAL_WEBSOCKET_NODE
  if (requested !== undefined) {
    it(`runs on the Node it was started for (${requested}), without --experimental-websocket`, () => {
      expect([major, flagged]).toStrictEqual([Number(requested), false])
    })
  }
})
