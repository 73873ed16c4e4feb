// The packed package under Deno, Bun and workerd (their npm packages, devDependencies here), in the fresh project the
// global setup installed it into: the root entry as each runtime resolves it, against an echo server and the HA
// simulator on 127.0.0.1 that this test starts and stops. No runtime may reach another address: Deno runs with
// --allow-net=127.0.0.1 only, workerd's only outbound network allows "local" alone, and none checks for updates or
// reports telemetry.
import { execFile } from "node:child_process"
import { once } from "node:events"
import { mkdirSync, writeFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect, Exit, Scope } from "effect"
import { build } from "esbuild"
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest"
import { WebSocketServer } from "ws"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

const run = promisify(execFile)
const bin = (name: string) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname
const { project } = inject("consumer")
const TOKEN = "runtime-test-token"
const PAD = "x".repeat(100)
const FLOOD = 50_000

let echo: WebSocketServer
let scope: Scope.CloseableScope
let args: ReadonlyArray<string>
const closes: Array<{ code: number; reason: string }> = []

/** A JSON-RPC request (or batch, answered in reverse) gets its params back as the result; anything else is echoed. */
const jsonRpcAnswer = (text: string): string | undefined => {
  if (!text.startsWith("{\"jsonrpc\"") && !text.startsWith("[{\"jsonrpc\"")) return undefined
  const answer = (call: { id: number; params?: unknown }) => ({ jsonrpc: "2.0", id: call.id, result: call.params ?? null })
  const parsed = JSON.parse(text) as { id: number; params?: unknown } | Array<{ id: number; params?: unknown }>
  return JSON.stringify(Array.isArray(parsed) ? parsed.map(answer).reverse() : answer(parsed))
}

beforeAll(async () => {
  echo = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(echo, "listening")
  echo.on("connection", (socket) => {
    // Echoes, except `flood N`: N numbered messages of ~100 bytes at once.
    socket.on("message", (data, isBinary) => {
      const rpc = isBinary ? undefined : jsonRpcAnswer(String(data))
      if (rpc !== undefined) return socket.send(rpc)
      const flood = /^flood (\d+)$/.exec(isBinary ? "" : String(data))
      if (flood === null) return socket.send(data, { binary: isBinary })
      for (let i = 0; i < Number(flood[1]); i++) socket.send(`${i} ${PAD}`)
    })
    socket.on("close", (code, reason) => closes.push({ code, reason: String(reason) }))
  })
  scope = Effect.runSync(Scope.make())
  const sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: TOKEN }), scope))
  args = [`ws://127.0.0.1:${(echo.address() as AddressInfo).port}`, sim.httpUrl, TOKEN]
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  for (const client of echo.clients) client.terminate()
  await new Promise((resolve) => echo.close(resolve))
})

const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DENO_DIR: join(project, ".deno"),
  DENO_NO_UPDATE_CHECK: "1",
  DO_NOT_TRACK: "1"
}
const inProject = (command: string, commandArgs: ReadonlyArray<string>) =>
  run(command, commandArgs, { cwd: project, env, timeout: 60_000, maxBuffer: 16 << 20 })

const ha = { haVersion: "2026.1.2", entities: 6, kitchen: "on" }
/** What the JSON-RPC client (JsonRpcLive of the root entry) sees: a request, and a batch answered in reverse, in order. */
const jsonRpc = (runtime: string) => ({
  request: [runtime],
  batch: [{ _id: "Either", _tag: "Right", right: [1] }, { _id: "Either", _tag: "Right", right: [2] }]
})

// One worker, run by `workerd test`; its only outbound network is loopback ("local"), so it can reach nothing else.
const WORKERD_CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker), (name = "loopback", network = (allow = ["local"], deny = []))]
);
const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
  bindings = [(name = "ECHO", fromEnvironment = "ECHO"), (name = "HA", fromEnvironment = "HA"),
              (name = "TOKEN", fromEnvironment = "TOKEN")]
);
`

beforeEach(() => {
  closes.length = 0
})

/**
 * What the scenario sees where the root entry resolves to the web transport: the reply, bytes, the close code the
 * server got, the HA client, headers refused by name, and a flood held whole (no backpressure), in order.
 */
const expectWebTransport = (result: unknown, runtime: string) => {
  expect(result).toStrictEqual({
    runtime,
    reply: { hello: runtime },
    headers: "Invalid WebSocket option 'headers': the websocket-constructor transport cannot send handshake headers",
    bytes: [1, 2, 3],
    flood: expect.objectContaining({ backpressure: "none", inOrder: FLOOD }),
    heartbeat: "InvalidOption: Invalid WebSocket option 'heartbeat': the websocket-constructor transport cannot send protocol-level pings",
    maxPayload: "InvalidOption: Invalid WebSocket option 'maxPayload': the websocket-constructor transport cannot bound the inbound message size",
    ha,
    jsonRpc: jsonRpc(runtime)
  })
  expect(closes).toContainEqual({ code: 4001, reason: "done" })
}

describe("the packed package in other runtimes", () => {
  it("Deno resolves the web transport: a request, bytes, a close code, and the HA client, with --allow-net=127.0.0.1", async () => {
    const { stdout } = await inProject(bin("deno"), [
      "run", "--allow-net=127.0.0.1", "--node-modules-dir=manual", "--no-remote", "--no-lock", "--no-prompt",
      "runtime.mjs", ...args
    ])
    expectWebTransport(JSON.parse(stdout), "deno")
  })

  it("workerd (Cloudflare's runtime) resolves the web transport for a worker bundled with its conditions: the same", async () => {
    const dir = join(project, "workerd")
    mkdirSync(dir, { recursive: true })
    await build({
      absWorkingDir: project,
      entryPoints: [join(project, "worker.mjs")],
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      outfile: join(dir, "worker.js"),
      logLevel: "silent"
    })
    writeFileSync(join(dir, "config.capnp"), WORKERD_CONFIG)
    const { stdout, stderr } = await run(bin("workerd"), ["test", "config.capnp", "--verbose"], {
      cwd: dir,
      env: { ...env, ECHO: args[0], HA: args[1], TOKEN: args[2] },
      timeout: 60_000,
      maxBuffer: 16 << 20
    })
    const line = `${stdout}\n${stderr}`.split("\n").find((l) => l.startsWith("RESULT "))
    expect(line, stderr).toBeDefined()
    expectWebTransport(JSON.parse(line!.slice("RESULT ".length)), "workerd")
  })

  it("Bun resolves Node's ws transport (Bun's built-in ws): headers sent, pings answered, maxPayload enforced, a flood paused", async () => {
    const { stdout } = await inProject(bin("bun"), ["runtime.mjs", ...args])
    const result = JSON.parse(stdout)
    expect(result).toStrictEqual({
      runtime: "bun",
      reply: { hello: "bun" },
      headers: "sent",
      bytes: [1, 2, 3],
      flood: expect.objectContaining({ backpressure: "pause", inOrder: FLOOD }),
      heartbeat: "open",
      maxPayload: "ProtocolError: WebSocket protocol error (1009): Max payload size exceeded",
      ha,
      jsonRpc: jsonRpc("bun")
    })
    // Reading stopped: a second after the flood, the buffer holds about `bufferSize`, not the 50,000 sent. Bun's
    // reads are larger than Node's (up to ~512 KiB, ~5,000 of these frames), which bounds the peak.
    expect(result.flood.heldAfterWait).toBeLessThan(1_000)
    expect(result.flood.peakBuffered).toBeLessThan(10_000)
    expect(closes).toContainEqual({ code: 4001, reason: "done" })
  })
})
