/**
 * Spawns the CLI as a user's shell would, and collects what it printed. The sources are bundled once with esbuild
 * (`bundleCli`), because starting through tsx costs seconds per process; the installed package's `bin` is run by
 * the package test.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { build } from "esbuild"

export const repo = resolve(import.meta.dirname, "../..")
let main = ""

/** The bundled CLI's path (after `bundleCli`). */
export const cliPath = () => main

/** Bundles src/cli/main.ts for this run; returns the cleanup. */
export const bundleCli = async (): Promise<() => void> => {
  const dir = mkdtempSync(join(tmpdir(), "effect-ws-gateway-cli-"))
  main = join(dir, "main.mjs")
  await build({
    entryPoints: [resolve(repo, "src/cli/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: main,
    logLevel: "silent",
    // The bundle reads package.json for --version relative to itself, and some dependencies use require().
    banner: { js: `import { createRequire as __cr } from "node:module"; const require = __cr(${JSON.stringify(resolve(repo, "src/cli/main.ts"))});` },
    define: { "import.meta.url": JSON.stringify(pathToFileURL(resolve(repo, "src/cli/main.ts")).href) }
  })
  return () => rmSync(dir, { recursive: true, force: true })
}

export interface Ran {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A running CLI: feed its stdin, wait for output, interrupt it, await its end. */
export interface Running {
  readonly child: ChildProcess
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  readonly waitFor: (text: string, stream?: "stdout" | "stderr") => Promise<void>
  readonly done: Promise<Ran>
}

/** Starts the CLI with `args`; the environment holds only PATH and HOME unless `env` adds to it. */
export const start = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Running => {
  const child = spawn(process.execPath, [main, ...args], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += String(chunk)))
  child.stderr.on("data", (chunk) => (stderr += String(chunk)))
  const done = new Promise<Ran>((resolveDone) =>
    child.on("exit", (code, signal) => setImmediate(() => resolveDone({ code, signal, stdout, stderr }))))
  const waitFor = (text: string, stream: "stdout" | "stderr" = "stdout") =>
    new Promise<void>((resolveWait, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" on ${stream}; got ${JSON.stringify({ stdout, stderr })}`)), 15_000)
      const check = () => {
        if ((stream === "stdout" ? stdout : stderr).includes(text)) {
          clearTimeout(timer)
          resolveWait()
        } else setTimeout(check, 20)
      }
      check()
    })
  return { child, output: () => ({ stdout, stderr }), waitFor, done }
}

/** Runs the CLI to its end with `input` on stdin. */
export const run = (args: ReadonlyArray<string>, input = "", env: Readonly<Record<string, string>> = {}): Promise<Ran> => {
  const running = start(args, env)
  running.child.stdin?.end(input)
  return running.done
}

/** No stack trace: no `    at ` frame line, no `Error:` dump of a cause. */
export const noStack = (text: string) => !/^\s+at /m.test(text) && !text.includes("FiberFailure")
