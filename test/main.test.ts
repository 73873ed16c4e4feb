import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "..")

describe("npm start", () => {
  it("runs the Home Assistant demo against the in-process simulator and exits 0", async () => {
    const env = { ...process.env }
    delete env.HASS_URL
    delete env.HASS_TOKEN
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = execFile(resolve(root, "node_modules/.bin/tsx"), ["src/main.ts"], { cwd: root, env, timeout: 60_000 })
      let stdout = ""
      child.stdout?.on("data", (chunk) => (stdout += String(chunk)))
      child.on("exit", (code) => done({ code, stdout }))
    })
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    expect(lines[0]).toMatch(/^Home Assistant demo — simulator at ws:\/\/127\.0\.0\.1:\d+\/api\/websocket$/)
    expect(stdout).toContain("  connected      Home Assistant 2026.1.2")
    expect(stdout).toContain("  lights         light.living_room    off")
    expect(stdout).toContain("  call_service   light.turn_on → light.living_room")
    expect(stdout).toContain("  event          light.living_room  off → on")
    expect(stdout).toMatch(/ {2}stats {10}\d+ opened, \d+ closed, \d+ sent, \d+ received, 0 errors/)
    expect(stdout).toContain("  gateway        websocket.request → {\"type\":\"auth_required\",\"ha_version\":\"2026.1.2\"}")
    expect(stdout).not.toContain("demo-token")
  }, 60_000)
})
