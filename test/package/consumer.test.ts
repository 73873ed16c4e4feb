// The published package, as a user gets it: packed and installed into a fresh project outside this repository by
// the global setup (install.ts), and used there with plain Node (ESM and require) and a strict tsc.
import { execFile } from "node:child_process"
import { once } from "node:events"
import { statSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, inject, it } from "vitest"
import { WebSocketServer } from "ws"

const run = promisify(execFile)
const repo = new URL("../..", import.meta.url).pathname
const { project, tarball, files } = inject("consumer")

const inProject = (command: string, args: ReadonlyArray<string>) =>
  run(command, args, { cwd: project, env: { PATH: process.env.PATH, HOME: process.env.HOME }, maxBuffer: 16 << 20 })

describe("the packed package", () => {
  it("holds dist, the sources its maps point into, README and package.json — no test, bench, CI or config", () => {
    expect(files).toContain("dist/index.js")
    expect(files).toContain("dist/index.d.ts")
    expect(files).toContain("dist/testing/index.js")
    expect(files).toContain("README.md")
    expect(files).toContain("package.json")
    const outside = files.filter((file) => !/^(dist|src)\//.test(file) && file !== "README.md" && file !== "package.json")
    expect(outside).toStrictEqual([])
    expect(files.filter((file) => /(^|\/)test\/|\.test\.|^\.ci\/|tsconfig|eslint|bench/.test(file))).toStrictEqual([])
    expect(files).not.toContain("src/main.ts")
    expect(statSync(tarball).size).toBeGreaterThan(0)
  })

  it("runs a request under plain Node ESM, with nothing from this repository on the path", async () => {
    const { stdout } = await inProject("node", ["esm.mjs"])
    expect(JSON.parse(stdout)).toStrictEqual({ reply: { hello: "esm" }, inMemory: { from: "test kit" } })
  })

  it("starts nothing and adds no global when its entries are imported (sideEffects: false holds)", async () => {
    const { stdout } = await inProject("node", ["side-effects.mjs"])
    const { added, resources, resourcesBefore } = JSON.parse(stdout) as Record<string, Array<string>>
    expect(added).toStrictEqual([])
    expect(resources).toStrictEqual(resourcesBefore)
  })

  it("runs a request from the web entry on Node's global WebSocket, and refuses handshake headers there", async () => {
    const { stdout } = await inProject("node", ["--experimental-websocket", "web.mjs"])
    expect(JSON.parse(stdout)).toStrictEqual({
      reply: { hello: "web" },
      headers: "Invalid WebSocket option 'headers': the websocket-constructor transport cannot send handshake headers"
    })
  })

  it("runs a request through CommonJS require()", async () => {
    const { stdout } = await inProject("node", ["cjs.cjs"])
    expect(JSON.parse(stdout)).toStrictEqual({ reply: { hello: "cjs" }, testKit: "object" })
  })

  // nodenext also checks a CommonJS file (require.cts) that requires the package.
  it.each(["nodenext", "bundler"])("type-checks a strict consumer with %s resolution and skipLibCheck false", async (mode) => {
    const result = await inProject("node", ["node_modules/typescript/bin/tsc", "-p", `tsconfig.${mode}.json`]).catch(
      (error: { stdout: string; stderr: string }) => error
    )
    expect(result.stdout + result.stderr).toBe("")
  })

  it("npx effect-ws-gateway runs the installed bin: ha states --simulator, and request to an echo server", async () => {
    const states = await inProject("npx", ["--no-install", "effect-ws-gateway", "ha", "states", "--simulator"])
    expect(states.stdout).toMatch(/^light\.kitchen\s+on\s/m)
    const echo = new WebSocketServer({ host: "127.0.0.1", port: 0 })
    try {
      await once(echo, "listening")
      echo.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
      const url = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}`
      const reply = await inProject("npx", ["--no-install", "effect-ws-gateway", "request", url, '{"via":"npx"}', "--raw"])
      expect(reply.stdout.trim()).toBe('{"via":"npx"}')
    } finally {
      echo.close()
    }
  })

  it("is clean under publint (strict: warnings fail too)", async () => {
    const unpacked = join(project, "node_modules", "effect-ws-gateway")
    const { stdout } = await run(join(repo, "node_modules/.bin/publint"), ["run", unpacked, "--strict", "--pack", "false"])
    expect(stdout).toContain("All good!")
    expect(stdout).not.toMatch(/error|warning|suggestion/i)
  })

  it("is clean under arethetypeswrong for node10 (types), node16 ESM and bundler", async () => {
    const { stdout } = await run(join(repo, "node_modules/.bin/attw"), [tarball, "--format", "json"], {
      maxBuffer: 16 << 20
    }).catch((error: { stdout: string }) => error)
    const report = JSON.parse(stdout) as {
      analysis: { problems: Array<{ kind: string; resolutionKind?: string; entrypoint?: string }> }
    }
    // The one finding is by design: an ESM-only package seen from TypeScript's `module: node16` CommonJS mode,
    // which predates require(esm). `module: nodenext` (TypeScript >= 5.8) allows it; the test above checks so.
    const others = report.analysis.problems.filter((p) => !(p.kind === "CJSResolvesToESM" && p.resolutionKind === "node16-cjs"))
    expect(others).toStrictEqual([])
    expect([...new Set(report.analysis.problems.map((p) => p.entrypoint))].sort()).toStrictEqual([".", "./node", "./testing", "./web"])
  })
})

