import { execFile, spawn } from "node:child_process"
import { resolve } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { HomeAssistantSimulator } from "../src/testing/index.js"

const root = resolve(import.meta.dirname, "..")

/** Runs `npm start`'s program to its end with `env`: its exit code and what it printed. */
const start = (env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = execFile(resolve(root, "node_modules/.bin/tsx"), ["src/main.ts"], { cwd: root, env, timeout: 60_000 })
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk) => (stdout += String(chunk)))
    child.stderr?.on("data", (chunk) => (stderr += String(chunk)))
    child.on("exit", (code) => done({ code, stdout, stderr }))
  })

describe("npm start", () => {
  it("runs the Home Assistant demo against the in-process simulator and exits 0", async () => {
    const env = { ...process.env }
    delete env.HASS_URL
    delete env.HASS_TOKEN
    const { code, stdout } = await start(env)
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    expect(lines[0]).toMatch(/^Home Assistant demo — simulator at ws:\/\/127\.0\.0\.1:\d+\/api\/websocket$/)
    expect(stdout).toContain("  connected      Home Assistant 2026.1.2")
    expect(stdout).toContain("  lights         light.living_room    off")
    expect(stdout).toContain("  call_service   light.turn_on → light.living_room")
    expect(stdout).toContain("  event          light.living_room  off → on")
    expect(stdout).toContain("  entities       6 live; light.kitchen on → off")
    expect(stdout).toMatch(/ {2}stats {10}\d+ opened, \d+ closed, \d+ sent, \d+ received, 0 errors/)
    expect(stdout).toContain("  gateway        websocket.request → {\"type\":\"auth_required\",\"ha_version\":\"2026.1.2\"}")
    expect(stdout).not.toContain("demo-token")
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("Next, the command line: npm run cli -- ha states --simulator (installed: npx effect-ws-gateway --help)")
  }, 60_000)
})

describe("npm start against your own Home Assistant", () => {
  it("plain http:// to another machine is refused before anything connects, naming HASS_ALLOW_INSECURE", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HASS_URL: "http://192.0.2.10:8123", HASS_TOKEN: "insecure-token" }
    delete env.HASS_ALLOW_INSECURE
    const { code, stderr } = await start(env)
    expect(code).toBe(1)
    expect(stderr.trim()).toBe(
      "demo failed: refusing to send the token unencrypted to 192.0.2.10: use https://, or set HASS_ALLOW_INSECURE=1"
    )
    expect(stderr).not.toContain("insecure-token")
  }, 60_000)
})

describe("npm start under NodeRuntime.runMain", () => {
  it("Ctrl-C (SIGINT) while it waits for an event closes the connection with 1000 and exits 130", async () => {
    const scope = Effect.runSync(Scope.make())
    const sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: "sigint-token" }), scope))
    try {
      // HASS_ALLOW_INSECURE is read too: the simulator is on this machine, so it changes nothing here.
      const env = { ...process.env, HASS_URL: sim.httpUrl, HASS_TOKEN: "sigint-token", HASS_ALLOW_INSECURE: "1" }
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stderr.on("data", (chunk) => (stderr += String(chunk)))
      const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
      await new Promise<void>((ready) =>
        child.stdout.on("data", (chunk) => {
          stdout += String(chunk)
          if (stdout.includes("subscribed")) ready()
        })
      )
      expect(sim.closes).toStrictEqual([]) // connected, subscribed, waiting for an event
      child.kill("SIGINT")
      expect(await exited).toBe(130)
      // The server may record the close a moment after the process has gone (bounded: 2 s).
      for (let i = 0; i < 100 && sim.closes.length === 0; i++) await new Promise((resume) => setTimeout(resume, 20))
      expect(sim.closes).toStrictEqual([{ connection: 1, code: 1000, reason: "" }])
      expect(stdout + stderr).not.toContain("sigint-token")
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }, 60_000)
})
