// The simulator's include/exclude filter follows HA core's entityfilter cases (helpers/entityfilter.py).
import { describe, expect, it } from "vitest"
import { entityFilter } from "../../src/homeassistant/entityFilter.js"

const ids = ["light.kitchen", "light.bedroom", "sensor.outdoor_temperature", "sensor.power", "switch.coffee_maker"]
const kept = (message: Record<string, unknown>) => ids.filter(entityFilter(message))

describe("simulator entity filter (HA's six cases)", () => {
  it("no filter keeps everything; entity_ids limits to those", () => {
    expect(kept({})).toStrictEqual(ids)
    expect(kept({ entity_ids: ["sensor.power"] })).toStrictEqual(["sensor.power"])
  })
  it("only includes: an entity, a domain or a glob", () => {
    expect(kept({ include: { domains: ["light"], entities: ["sensor.power"] } }))
      .toStrictEqual(["light.kitchen", "light.bedroom", "sensor.power"])
    expect(kept({ include: { entity_globs: ["sensor.*_temp?rature"] } })).toStrictEqual(["sensor.outdoor_temperature"])
  })
  it("only excludes: everything else", () => {
    expect(kept({ exclude: { domains: ["sensor"], entities: ["light.bedroom"] } })).toStrictEqual(["light.kitchen", "switch.coffee_maker"])
  })
  it("include domains with excludes: an excluded entity or glob beats the domain; an included entity beats all", () => {
    expect(kept({ include: { domains: ["light", "sensor"] }, exclude: { entity_globs: ["sensor.*"], entities: ["light.bedroom"] } }))
      .toStrictEqual(["light.kitchen"])
    expect(kept({ include: { domains: ["sensor"], entities: ["light.bedroom"] }, exclude: { entity_globs: ["sensor.power"] } }))
      .toStrictEqual(["light.bedroom", "sensor.outdoor_temperature"])
  })
  it("exclude domains with included entities: the entity comes back; entity lists alone keep only the included", () => {
    expect(kept({ include: { entities: ["sensor.power"] }, exclude: { domains: ["sensor"] } }))
      .toStrictEqual(["light.kitchen", "light.bedroom", "sensor.power", "switch.coffee_maker"])
    expect(kept({ include: { entities: ["sensor.power"] }, exclude: { entities: ["light.kitchen"] } })).toStrictEqual(["sensor.power"])
  })
  it("globs read as fnmatch does: a dot is literal, [seq] and [!seq] are classes", () => {
    expect(kept({ include: { entity_globs: ["light.[k]*"] } })).toStrictEqual(["light.kitchen"])
    expect(kept({ include: { entity_globs: ["light.[!k]*"] } })).toStrictEqual(["light.bedroom"])
    expect(kept({ include: { entity_globs: ["light?kitchen", "sensor.power"] } })).toStrictEqual(["light.kitchen", "sensor.power"])
    expect(kept({ include: { entity_globs: ["light.kitche"] } })).toStrictEqual([])
  })
})
