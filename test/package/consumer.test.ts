// The published package, as a user gets it: packed and installed into a fresh project outside this repository by
// the global setup (install.ts), and used there with plain Node (ESM, require, the web entry and the installed bin)
// on the suite's own Node (20 in CI), 22 and 24 (nodeVersions.ts), and with a strict tsc.
import { execFile } from "node:child_process"
import { once } from "node:events"
import { readFileSync, statSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { describe, expect, inject, it } from "vitest"
import { WebSocketServer } from "ws"
import { nodeBinaries } from "./nodeVersions.js"

const run = promisify(execFile)
const repo = new URL("../..", import.meta.url).pathname
const { project, tarball, files } = inject("consumer")

const inProject = (command: string, args: ReadonlyArray<string>, path = process.env.PATH) =>
  run(command, args, { cwd: project, env: { PATH: path, HOME: process.env.HOME }, maxBuffer: 16 << 20 })

/** A Node the runtime checks run on: its binary and the version it reports. */
interface TestedNode {
  readonly version: string
  readonly major: number
  readonly binary: string
}

const installedNode = (major: keyof typeof nodeBinaries): TestedNode => {
  const binary = nodeBinaries[major]
  const { version } = JSON.parse(readFileSync(join(dirname(binary), "../package.json"), "utf8")) as { version: string }
  return { version: `v${version}`, major: Number(version.split(".")[0]), binary }
}

// The suite's own Node (20 in CI), then 22 and 24, installed by the global setup.
const nodes: ReadonlyArray<TestedNode> = [
  { version: process.version, major: Number(process.versions.node.split(".")[0]), binary: process.execPath },
  installedNode(22),
  installedNode(24)
]

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

  it("runs its runtime checks on the suite's own Node (20 in CI), 22 and 24", () => {
    expect(nodes.map((node) => node.major)).toStrictEqual([Number(process.versions.node.split(".")[0]), 22, 24])
  })

  // nodenext also checks a CommonJS file (require.cts) that requires the package.
  it.each(["nodenext", "bundler"])("type-checks a strict consumer with %s resolution and skipLibCheck false", async (mode) => {
    const result = await inProject("node", ["node_modules/typescript/bin/tsc", "-p", `tsconfig.${mode}.json`]).catch(
      (error: { stdout: string; stderr: string }) => error
    )
    expect(result.stdout + result.stderr).toBe("")
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

describe.each(nodes.map((node) => [node.version, node] as const))("the packed package on Node %s", (version, { binary, major }) => {
  const onNode = async (args: ReadonlyArray<string>) => {
    const { stdout, stderr } = await inProject(binary, args)
    expect(stderr).toBe("")
    return JSON.parse(stdout) as Record<string, unknown>
  }

  it("runs a request under plain Node ESM, with nothing from this repository on the path", async () => {
    expect(await onNode(["esm.mjs"])).toStrictEqual({ node: version, reply: { hello: "esm" }, inMemory: { from: "test kit" } })
  })

  it("starts nothing and adds no global when its entries are imported (sideEffects: false holds)", async () => {
    const { added, resources, resourcesBefore } = await onNode(["side-effects.mjs"])
    expect(added).toStrictEqual([])
    expect(resources).toStrictEqual(resourcesBefore)
  })

  // Node 20 has the global WebSocket only behind --experimental-websocket; 22 and later without a flag.
  const flags = major < 22 ? ["--experimental-websocket"] : []
  it(`runs a request from the web entry on Node's global WebSocket (${flags[0] ?? "no flag"}), and refuses handshake headers there`, async () => {
    expect(await onNode([...flags, "web.mjs"])).toStrictEqual({
      node: version,
      flags,
      reply: { hello: "web" },
      headers: "Invalid WebSocket option 'headers': the websocket-constructor transport cannot send handshake headers"
    })
  })

  it("runs a request through CommonJS require()", async () => {
    expect(await onNode(["cjs.cjs"])).toStrictEqual({ node: version, reply: { hello: "cjs" }, testKit: "object" })
  })

  // The bin's `#!/usr/bin/env node` finds this Node first on PATH, as in a user's shell where it is the one installed.
  it("npx effect-ws-gateway runs the installed bin: --version, ha states --simulator, and request to an echo server", async () => {
    const path = `${dirname(binary)}:${process.env.PATH}`
    const npx = (...args: ReadonlyArray<string>) => inProject("npx", ["--no-install", ...args], path)
    expect((await npx("-c", "node --version")).stdout).toBe(`${version}\n`)
    const { version: packageVersion } = JSON.parse(
      readFileSync(join(project, "node_modules/effect-ws-gateway/package.json"), "utf8")
    ) as { version: string }
    const printed = await npx("effect-ws-gateway", "--version")
    expect(printed.stdout.trim()).toBe(packageVersion)
    expect(printed.stderr).toBe("")
    const states = await npx("effect-ws-gateway", "ha", "states", "--simulator")
    expect(states.stdout).toMatch(/^entity\s+state\s+last changed$/m)
    expect(states.stdout).toMatch(/^light\.kitchen\s+on\s/m)
    expect(states.stdout.trim().split("\n")).toHaveLength(7)
    expect(states.stderr).toBe("")
    const echo = new WebSocketServer({ host: "127.0.0.1", port: 0 })
    try {
      await once(echo, "listening")
      echo.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
      const url = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}`
      const reply = await npx("effect-ws-gateway", "request", url, `{"via":"npx on ${version}"}`, "--raw")
      expect(reply).toStrictEqual({ stdout: `{"via":"npx on ${version}"}\n`, stderr: "" })
    } finally {
      for (const client of echo.clients) client.terminate()
      await new Promise((resolve) => echo.close(resolve))
    }
  })
})
