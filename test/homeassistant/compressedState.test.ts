// subscribe_entities frames as HA core sends them (State.as_compressed_state, _state_diff), expanded to entities.
import { describe, expect, it } from "vitest"
import { applyEntitiesEvent, type HassEntities } from "../../src/homeassistant/compressedState.js"

const LC = 1_700_000_000.5 // epoch seconds, as HA sends them
const at = (seconds: number) => new Date(seconds * 1000).toISOString()

const initial = applyEntitiesEvent({}, {
  a: {
    "light.kitchen": { s: "on", a: { brightness: 180, friendly_name: "Kitchen" }, c: "01KITCHEN", lc: LC },
    "sensor.temp": { s: "21.5", a: { unit_of_measurement: "°C" }, c: { id: "01TEMP", parent_id: "01P", user_id: null }, lc: LC, lu: LC + 60 }
  }
}).entities

describe("applyEntitiesEvent", () => {
  it("expands additions: ISO timestamps, last_updated = last_changed when lu is absent, a context id alone or whole", () => {
    expect(initial).toStrictEqual({
      "light.kitchen": {
        entity_id: "light.kitchen",
        state: "on",
        attributes: { brightness: 180, friendly_name: "Kitchen" },
        context: { id: "01KITCHEN", parent_id: null, user_id: null },
        last_changed: at(LC),
        last_updated: at(LC)
      },
      "sensor.temp": {
        entity_id: "sensor.temp",
        state: "21.5",
        attributes: { unit_of_measurement: "°C" },
        context: { id: "01TEMP", parent_id: "01P", user_id: null },
        last_changed: at(LC),
        last_updated: at(LC + 60)
      }
    })
  })

  it("a change with s and lc moves the state and both timestamps, merges changed attributes, replaces the context id", () => {
    const { entities, skipped } = applyEntitiesEvent(initial, {
      c: { "light.kitchen": { "+": { s: "off", lc: LC + 100, c: "01OFF", a: { brightness: null } } } }
    })
    expect(skipped).toStrictEqual([])
    expect(entities["light.kitchen"]).toStrictEqual({
      entity_id: "light.kitchen",
      state: "off",
      attributes: { brightness: null, friendly_name: "Kitchen" },
      context: { id: "01OFF", parent_id: null, user_id: null },
      last_changed: at(LC + 100),
      last_updated: at(LC + 100)
    })
    expect(entities["sensor.temp"]).toBe(initial["sensor.temp"]) // untouched entities keep their identity
  })

  it("lu alone moves last_updated only; '-' removes attributes; a partial context object is merged", () => {
    const { entities } = applyEntitiesEvent(initial, {
      c: { "sensor.temp": { "+": { lu: LC + 120, c: { user_id: "u1", id: "01NEW" } }, "-": { a: ["unit_of_measurement"] } } }
    })
    expect(entities["sensor.temp"]).toStrictEqual({
      entity_id: "sensor.temp",
      state: "21.5",
      attributes: {},
      context: { id: "01NEW", parent_id: "01P", user_id: "u1" },
      last_changed: at(LC),
      last_updated: at(LC + 120)
    })
  })

  it("r removes entities", () => {
    expect(Object.keys(applyEntitiesEvent(initial, { r: ["light.kitchen"] }).entities)).toStrictEqual(["sensor.temp"])
  })

  it("a malformed part skips that entity only: unknown ids, wrong types; the rest of the event applies", () => {
    const { entities, skipped } = applyEntitiesEvent(initial, {
      a: { "switch.bad": { s: 1, a: {}, c: "x", lc: LC }, "switch.ok": { s: "off", a: {}, c: "ok", lc: LC } },
      c: {
        "light.unknown": { "+": { s: "on" } },
        "light.kitchen": { "+": { s: ["not", "a", "state"] } },
        "sensor.temp": { "+": { s: "22.0" } }
      }
    })
    expect(skipped).toStrictEqual(["switch.bad", "light.unknown", "light.kitchen"])
    expect(entities["light.kitchen"]).toBe(initial["light.kitchen"])
    expect(entities["sensor.temp"]?.state).toBe("22.0")
    expect(entities["switch.ok"]?.state).toBe("off")
    expect(entities["switch.bad"]).toBeUndefined()
  })

  it("a non-object event changes nothing and says so", () => {
    const current: HassEntities = initial
    expect(applyEntitiesEvent(current, "nonsense")).toStrictEqual({ entities: current, skipped: ["(the event is not an object)"] })
  })
})
