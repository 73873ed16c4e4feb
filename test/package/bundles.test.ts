// The package as a deployment bundles it: an app importing the installed tarball, bundled by esbuild for Node as ESM
// (as AWS CDK's NodejsFunction does with format ESM) and as CJS, with no banner and nothing external, copied on its
// own into an empty folder and run there against an echo server on 127.0.0.1. (The browser bundle is
// test/platform/browser.test.ts.)
import { execFile } from "node:child_process"
import { once } from "node:events"
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { WebSocketServer } from "ws"
import { ensureNodeVersions, nodeBinaries } from "./nodeVersions.js"

const run = promisify(execFile)
const { project } = inject("consumer")
const app = new URL("./bundle/app.mjs", import.meta.url).pathname

let echo: WebSocketServer
let url: string
const alone = mkdtempSync(join(tmpdir(), "effect-ws-gateway-bundle-"))

beforeAll(async () => {
  ensureNodeVersions()
  echo = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(echo, "listening")
  echo.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
  url = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const client of echo.clients) client.terminate()
  await new Promise((resolve) => echo.close(resolve))
  rmSync(alone, { recursive: true, force: true })
})

/** Bundles the app from the consumer project (where the tarball is installed) and copies the bundle into `alone`. */
const bundle = async (format: "esm" | "cjs", name: string, external: ReadonlyArray<string> = []) => {
  const outfile = join(project, "bundles", name)
  const result = await build({
    absWorkingDir: project,
    entryPoints: [app],
    nodePaths: [join(project, "node_modules")],
    bundle: true,
    platform: "node",
    format,
    external: [...external],
    outfile,
    logLevel: "silent"
  })
  copyFileSync(outfile, join(alone, name))
  return result.warnings.map((warning) => warning.text)
}

/** Runs a bundle from the folder that holds nothing else (no node_modules), with a node binary. */
const runAlone = async (name: string, nodeBinary = process.execPath) => {
  const { stdout } = await run(nodeBinary, [name, url], { cwd: alone, env: { PATH: process.env.PATH }, timeout: 30_000 })
  // The app prints one JSON line last; lines before it are Effect's log.
  const lines = stdout.trim().split("\n")
  return { result: JSON.parse(lines.at(-1)!) as unknown, log: lines.slice(0, -1).join("\n") }
}

describe("bundled for Node by esbuild, no banner, nothing external, run with nothing else on disk", () => {
  it("as ESM: the ws transport loads inside the bundle and a request is answered", async () => {
    expect(await bundle("esm", "app.mjs")).toStrictEqual([])
    expect((await runAlone("app.mjs")).result).toStrictEqual({ reply: { bundled: true }, headers: "sent" })
  })

  it("as CJS: the same", async () => {
    expect(await bundle("cjs", "app.cjs")).toStrictEqual([])
    expect((await runAlone("app.cjs")).result).toStrictEqual({ reply: { bundled: true }, headers: "sent" })
  })

  it("with ws left out of the bundle and absent: Node 22 falls back to its global WebSocket and says so; Node 20 has none", async () => {
    await bundle("esm", "no-ws.mjs", ["ws"])
    const on22 = await runAlone("no-ws.mjs", nodeBinaries[22])
    // Not silent: a warning names the fallback, and the transport refuses headers by name.
    expect(on22.result).toStrictEqual({ reply: { bundled: true }, headers: "InvalidOption" })
    expect(on22.log).toContain("using the runtime's global WebSocket instead")
    const on20 = await runAlone("no-ws.mjs")
    expect(on20.result).toMatchObject({ failed: "InterfaceUnavailable" })
  })
})
