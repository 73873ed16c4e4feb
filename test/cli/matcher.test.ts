// The entity-id patterns of `ha states` and `ha watch --entities`: globs as Python's fnmatch reads them (as
// home-assistant-cli does), a substring otherwise; no pattern is an error.
import { describe, expect, it } from "vitest"
import { matcher } from "../../src/cli/internal/output.js"

const ids = ["light.kitchen", "light.bedroom", "light.living_room", "switch.coffee_maker", "sensor.a[1]", "lightxkitchen"]
const matching = (pattern: string) => ids.filter(matcher(pattern))

describe("entity-id patterns", () => {
  it("no pattern matches everything; a plain one is a substring", () => {
    expect(matching("")).toStrictEqual(ids)
    expect(matching("kitchen")).toStrictEqual(["light.kitchen", "lightxkitchen"])
  })

  it("* and ? are wildcards, and every other character is itself (a dot is not any character)", () => {
    expect(matching("light.*")).toStrictEqual(["light.kitchen", "light.bedroom", "light.living_room"])
    expect(matching("light.?itchen")).toStrictEqual(["light.kitchen"])
    expect(matching("*.coffee_maker")).toStrictEqual(["switch.coffee_maker"])
  })

  it("[set], [!set] and ranges, as fnmatch reads them", () => {
    expect(matching("light.[bk]*")).toStrictEqual(["light.kitchen", "light.bedroom"])
    expect(matching("light.[!bk]*")).toStrictEqual(["light.living_room"])
    expect(matching("light.[a-c]*")).toStrictEqual(["light.bedroom"])
    expect(matching("sensor.a[[]1]")).toStrictEqual(["sensor.a[1]"])
  })

  it("a [ that opens no set is itself, and a set no regular expression can hold is literal text: never an error", () => {
    expect(matching("[")).toStrictEqual([])
    expect(matching("sensor.a[1")).toStrictEqual([])
    expect(matching("sensor.a[*")).toStrictEqual(["sensor.a[1]"])
    expect(() => matcher("light.[z-a]")).not.toThrow()
    expect(matching("light.[z-a]")).toStrictEqual([])
  })
})
