// The packed package under Deno and Bun (their npm packages, devDependencies here), in the fresh project the global
// setup installed it into: the root entry as each runtime resolves it, against an echo server and the HA simulator
// on 127.0.0.1 that this test starts and stops. No runtime may reach another address: Deno runs with
// --allow-net=127.0.0.1 only, and neither checks for updates or reports telemetry.
import { execFile } from "node:child_process"
import { once } from "node:events"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { WebSocketServer } from "ws"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

const run = promisify(execFile)
const bin = (name: string) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname
const { project } = inject("consumer")
const TOKEN = "runtime-test-token"

let echo: WebSocketServer
let scope: Scope.CloseableScope
let args: ReadonlyArray<string>
const closes: Array<{ code: number; reason: string }> = []

beforeAll(async () => {
  echo = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(echo, "listening")
  echo.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }))
    socket.on("close", (code, reason) => closes.push({ code, reason: String(reason) }))
  })
  scope = Effect.runSync(Scope.make())
  const sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: TOKEN }), scope))
  args = [`ws://127.0.0.1:${(echo.address() as AddressInfo).port}`, sim.httpUrl, TOKEN]
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
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

describe("the packed package in other runtimes", () => {
  it("Deno resolves the web transport: a request, bytes, a close code, and the HA client, with --allow-net=127.0.0.1", async () => {
    const { stdout } = await inProject(bin("deno"), [
      "run", "--allow-net=127.0.0.1", "--node-modules-dir=manual", "--no-remote", "--no-lock", "--no-prompt",
      "runtime.mjs", ...args
    ])
    expect(JSON.parse(stdout)).toStrictEqual({
      runtime: "deno",
      reply: { hello: "deno" },
      headers: "Invalid WebSocket option 'headers': the websocket-constructor transport cannot send handshake headers",
      bytes: [1, 2, 3],
      ha
    })
    expect(closes).toContainEqual({ code: 4001, reason: "done" })
  })

  it("Bun resolves Node's ws transport: the same, with handshake headers sent", async () => {
    closes.length = 0
    const { stdout } = await inProject(bin("bun"), ["runtime.mjs", ...args])
    expect(JSON.parse(stdout)).toStrictEqual({ runtime: "bun", reply: { hello: "bun" }, headers: "sent", bytes: [1, 2, 3], ha })
    expect(closes).toContainEqual({ code: 4001, reason: "done" })
  })
})
