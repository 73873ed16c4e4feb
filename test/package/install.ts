// Vitest global setup: pack the tarball once (prepack builds dist/) and install it into a fresh project outside this
// repository, before any test file runs, so the consumer and browser tests share it and nothing rebuilds dist/
// under another test's feet. It also installs the Node 22 and 24 binaries if they are missing (nodeVersions.ts), once,
// before the test files that run the package on them start.
import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import type { TestProject } from "vitest/node"
import { ensureNodeVersions } from "./nodeVersions.js"

const run = promisify(execFile)
const repo = new URL("../..", import.meta.url).pathname
const fixtures = new URL("consumer/", import.meta.url).pathname
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(repo, "node_modules", name, "package.json"), "utf8")) as { version: string }).version

/** The installed package, as the tests see it. */
export interface Consumer {
  readonly project: string
  readonly tarball: string
  readonly files: ReadonlyArray<string>
}

declare module "vitest" {
  export interface ProvidedContext {
    consumer: Consumer
  }
}

export default async function setup(project: TestProject) {
  ensureNodeVersions()
  const work = mkdtempSync(join(tmpdir(), "effect-ws-gateway-consumer-"))
  const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: repo, maxBuffer: 64 << 20 })
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as Array<
    { filename: string; files: Array<{ path: string }>; size: number; unpackedSize: number }
  >
  const files = info!.files.map((file) => file.path)
  console.log(`tarball ${info!.filename}: ${info!.size} bytes packed, ${info!.unpackedSize} unpacked, ${files.length} files`)

  const app = join(work, "app")
  cpSync(fixtures, app, { recursive: true })
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
  // The same versions this repository tests with, from the npm cache `npm ci` just filled.
  await run("npm", [
    "install", "--prefer-offline", "--no-audit", "--no-fund", join(work, info!.filename),
    `effect@${installed("effect")}`, `@effect/platform@${installed("@effect/platform")}`, `ws@${installed("ws")}`,
    `typescript@${installed("typescript")}`, `@types/node@${installed("@types/node")}`, `@types/ws@${installed("@types/ws")}`
  ], { cwd: app, maxBuffer: 64 << 20 })
  project.provide("consumer", { project: app, tarball: join(work, info!.filename), files })
  return () => rmSync(work, { recursive: true, force: true })
}
