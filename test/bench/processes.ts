/** Child processes of the benchmark: servers and the per-contender flood clients. */
import { type ChildProcess, spawn } from "node:child_process"
import { resolve } from "node:path"

export const root = resolve(import.meta.dirname, "../..")
const tsx = resolve(root, "node_modules/.bin/tsx")

/** Starts a server script that prints its port on its first line. */
export const startServer = (script: string, args: ReadonlyArray<string> = []) =>
  new Promise<{ port: number; stop: () => void }>((resolvePort, reject) => {
    const command = script.endsWith(".ts") ? tsx : process.execPath
    const child: ChildProcess = spawn(command, [resolve(root, script), ...args], { stdio: ["ignore", "pipe", "inherit"] })
    child.once("error", reject)
    child.stdout?.once("data", (chunk) =>
      resolvePort({ port: Number(String(chunk).trim()), stop: () => child.kill("SIGTERM") }))
  })

/** Runs a TypeScript script to completion and parses the JSON it prints last. */
export const runJson = <A>(script: string, args: ReadonlyArray<string>) =>
  new Promise<A>((done, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", resolve(root, script), ...args], {
      cwd: root,
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
