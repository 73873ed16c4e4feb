/** Child processes of the benchmark: servers and the per-contender flood clients. */
import { type ChildProcess, spawn } from "node:child_process"
import { resolve } from "node:path"

/** Whether this is the tsc build that `npm run bench` runs (test/bench/.build), rather than the sources via tsx. */
const compiled = import.meta.filename.endsWith(".js")
/** The root of the code being run: the build's, or the repository's. */
export const root = resolve(import.meta.dirname, "../..")
/** The repository: where the plain `.mjs` scripts live. */
const sourceRoot = compiled ? resolve(root, "../../..") : root

/** How to run a script named by its source path: compiled `.ts` as its `.js`, `.ts` sources through tsx. */
const command = (script: string): ReadonlyArray<string> =>
  script.endsWith(".mjs")
    ? [resolve(sourceRoot, script)]
    : compiled
    ? [resolve(root, script.replace(/\.ts$/, ".js"))]
    : ["--import", "tsx", resolve(root, script)]

/** Starts a server script that prints its port on its first line. */
export const startServer = (script: string, args: ReadonlyArray<string> = []) =>
  new Promise<{ port: number; stop: () => void }>((resolvePort, reject) => {
    const child: ChildProcess = spawn(process.execPath, [...command(script), ...args], {
      cwd: sourceRoot,
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.once("error", reject)
    child.stdout?.once("data", (chunk) =>
      resolvePort({ port: Number(String(chunk).trim()), stop: () => child.kill("SIGTERM") }))
  })

/** Runs a TypeScript script to completion and parses the JSON it prints last. */
export const runJson = <A>(script: string, args: ReadonlyArray<string>) =>
  new Promise<A>((done, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", ...command(script), ...args], {
      cwd: sourceRoot,
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk) => (out += String(chunk)))
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(" ")} exited with ${code}`))
      const last = out.trim().split("\n").at(-1) ?? "{}"
      done(JSON.parse(last) as A)
    })
  })
