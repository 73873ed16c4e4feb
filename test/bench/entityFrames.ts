/**
 * The entity-store workload's frames: a home of `entities` entities, its `subscribe_entities` snapshot, then
 * `diffs` state changes, each compressed by the simulator's port of HA core's `as_compressed_state` / `_state_diff`
 * and serialised as the `event` frame HA sends. Seeded, so every run and every contender replays the same bytes.
 */
import type { HassEntity } from "../../src/homeassistant/messages.js"
import { compressState, stateDiff } from "../../src/testing/internal/compress.js"

const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const DOMAINS = [
  ["sensor", 0.6, (i: number) => ({ friendly_name: `Sensor ${i}`, unit_of_measurement: "°C", device_class: "temperature", state_class: "measurement" })],
  ["light", 0.16, (i: number) => ({ friendly_name: `Light ${i}`, supported_color_modes: ["brightness"], color_mode: "brightness", brightness: 128 })],
  ["switch", 0.14, (i: number) => ({ friendly_name: `Switch ${i}` })],
  ["binary_sensor", 0.1, (i: number) => ({ friendly_name: `Motion ${i}`, device_class: "motion" })]
] as const

/** The frames, as HA sends them, and the id the last one adds (a consumer is done when it sees it). */
export const recordFrames = (entities: number, diffs: number) => {
  const next = random(20261201)
  const contextId = () => Math.floor(next() * 2 ** 52).toString(36).padStart(10, "0").toUpperCase()
  const t0 = 1_764_547_200
  let clock = t0
  const states: Array<HassEntity> = []
  for (const [domain, share, attributes] of DOMAINS) {
    for (let i = 0; i < Math.round(entities * share); i++) {
      const time = new Date(t0 * 1000).toISOString()
      states.push({
        entity_id: `${domain}.bench_${i}`,
        state: domain === "sensor" ? (15 + next() * 10).toFixed(1) : next() < 0.5 ? "on" : "off",
        attributes: attributes(i),
        last_changed: time,
        last_updated: time,
        context: { id: contextId(), parent_id: null, user_id: null }
      })
    }
  }
  const frame = (event: unknown) => JSON.stringify({ id: 7, type: "event", event })
  const frames = [frame({ a: Object.fromEntries(states.map((s) => [s.entity_id, compressState(s)])) })]
  for (let n = 0; n < diffs; n++) {
    const index = Math.floor(next() * states.length)
    const old = states[index] as HassEntity
    clock += 0.05 + next() * 0.1
    const time = new Date(clock * 1000).toISOString()
    const kind = next()
    const domain = old.entity_id.split(".")[0]
    const changed: HassEntity = kind < 0.7 // a new state
      ? {
        ...old,
        state: domain === "sensor" ? (15 + next() * 10).toFixed(1) : old.state === "on" ? "off" : "on",
        last_changed: time,
        last_updated: time,
        context: { id: contextId(), parent_id: null, user_id: kind < 0.1 ? "c0ffee" : null }
      }
      : kind < 0.9 // an attribute changed, state kept
      ? { ...old, attributes: { ...old.attributes, battery: Math.floor(next() * 100) }, last_updated: time, context: { id: contextId(), parent_id: null, user_id: null } }
      : { ...old, attributes: { friendly_name: old.attributes.friendly_name }, last_updated: time, context: { id: contextId(), parent_id: null, user_id: null } } // attributes removed
    states[index] = changed
    frames.push(frame({ c: { [old.entity_id]: stateDiff(old, changed) } }))
  }
  const done = "sensor.bench_done"
  frames.push(frame({ a: { [done]: compressState({ ...(states[0] as HassEntity), entity_id: done }) } }))
  return { frames, done, final: states }
}
