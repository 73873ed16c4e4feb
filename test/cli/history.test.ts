// `ha history` end to end: spawned as a process against the HA simulator on 127.0.0.1 (and with --simulator);
// stdout, stderr and exit codes asserted, bad input included.
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseSince } from "../../src/cli/ha/history.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { bundleCli, noStack, run } from "./run.js"

const TOKEN = "cli-history-token-9c2d-never-print"
const scope = Effect.runSync(Scope.make())
let sim: HomeAssistantSimulator
let cleanup: () => void = () => undefined

beforeAll(async () => {
  cleanup = await bundleCli()
  sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: TOKEN }), scope))
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  cleanup()
})

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) {2}(.+)$/

describe("effect-ws-gateway ha history", () => {
  it("prints the entity's states over the period, oldest first, one per line with its time", async () => {
    for (const state of ["on", "off", "on"]) await Effect.runPromise(sim.setState("switch.coffee_maker", state))
    const result = await run(["ha", "history", "switch.coffee_maker", "--since", "1h", "--server", sim.httpUrl, "--token", TOKEN])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split("\n").map((line) => LINE.exec(line))
    expect(lines.map((match) => match?.[2])).toStrictEqual(["off", "on", "off", "on"])
    const times = lines.map((match) => Date.parse(match![1]!))
    expect([...times].sort((a, b) => a - b)).toStrictEqual(times)
    expect(sim.received.at(-1)?.message).toMatchObject({
      type: "history/history_during_period",
      entity_ids: ["switch.coffee_maker"],
      minimal_response: true,
      no_attributes: true
    })
    const asked = Date.parse(String(sim.received.at(-1)?.message.start_time))
    expect(Date.now() - asked).toBeGreaterThanOrEqual(3_600_000)
    expect(Date.now() - asked).toBeLessThan(3_600_000 + 60_000)
  })

  it("--simulator: the seeded state; an entity with no history is one line on stderr and exit 1", async () => {
    const seeded = await run(["ha", "history", "switch.coffee_maker", "--since", "30m", "--simulator"])
    expect(seeded.code).toBe(0)
    expect(seeded.stdout.trim()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}off$/)
    const none = await run(["ha", "history", "sensor.nothing", "--since", "2d", "--simulator"])
    expect(none.code).toBe(1)
    expect(none.stderr.trim()).toBe("error: no recorded states of sensor.nothing in the last 2d")
  })

  it("a --since that is not a duration is a usage error (exit 2), without a stack or the token", async () => {
    const result = await run(["ha", "history", "light.kitchen", "--since", "soon", "--server", sim.httpUrl, "--token", TOKEN])
    expect(result.code).toBe(2)
    expect(result.stderr + result.stdout).toContain("--since is a duration such as 30m, 1h or 2d")
    expect(noStack(result.stderr + result.stdout)).toBe(true)
    expect(result.stderr + result.stdout).not.toContain(TOKEN)
    const help = await run(["ha", "history", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--since")
  })

  it("reads 30m, 1h, 2d (and s, w, decimals); refuses anything else", () => {
    expect(["30m", "1h", "2d", "90s", "1w", "1.5h", " 2 h"].map(parseSince)).toStrictEqual([
      1_800_000,
      3_600_000,
      172_800_000,
      90_000,
      604_800_000,
      5_400_000,
      7_200_000
    ])
    expect(["", "1", "h", "-1h", "0m", "1y", "1h30m", "soon", "99999999w", "5300w"].map(parseSince)).toStrictEqual(Array(10).fill(undefined))
  })
})
