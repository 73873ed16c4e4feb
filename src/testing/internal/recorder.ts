/**
 * The simulator's recorder: the home's states map, which remembers every state it is given (bounded per entity), and
 * HA core's history queries over it (`get_significant_states` in recorder/history, compressed as
 * `row_to_compressed_state` does it: `lu` always, `lc` only when it differs).
 */
import type { HassEntity } from "../../homeassistant/messages.js"

/** States kept per entity; older ones are dropped, as HA's recorder purges (default 10 days) would. */
export const MAX_RECORDED_STATES = 2000

// HA's history: these domains' attribute changes count as significant, and they keep attributes with no_attributes.
const SIGNIFICANT_DOMAINS = new Set(["climate", "device_tracker", "humidifier", "thermostat", "water_heater"])
const NEED_ATTRIBUTE_DOMAINS = new Set(["climate", "humidifier", "input_datetime", "thermostat", "water_heater"])

const domainOf = (entityId: string) => entityId.slice(0, entityId.indexOf("."))

/** Seconds since the epoch, as HA's timestamps are. */
export const seconds = (iso: string): number => Date.parse(iso) / 1000

/** `state` as history sends it (`_history_compressed_state`). */
export const historyState = (state: HassEntity, noAttributes: boolean): Record<string, unknown> => {
  const compressed: Record<string, unknown> = { s: state.state }
  if (!noAttributes || NEED_ATTRIBUTE_DOMAINS.has(domainOf(state.entity_id))) compressed.a = state.attributes
  compressed.lu = seconds(state.last_updated)
  if (state.last_changed !== state.last_updated) compressed.lc = seconds(state.last_changed)
  return compressed
}

/** Whether every change of the entity counts as significant, attributes alone included (climate, ...). */
export const hasSignificantDomain = (entityId: string): boolean => SIGNIFICANT_DOMAINS.has(domainOf(entityId))

/** Whether a recorded state counts with `significant_changes_only`: its state changed, or its domain says so. */
export const isSignificant = (state: HassEntity): boolean =>
  state.last_changed === state.last_updated || hasSignificantDomain(state.entity_id)

/** A history query, as `history/history_during_period` and `history/stream` ask it (times in milliseconds). */
export interface HistoryQuery {
  readonly start: number
  readonly end: number
  readonly entityIds: ReadonlyArray<string> | undefined
  readonly includeStartTimeState: boolean
  readonly significantChangesOnly: boolean
  readonly minimalResponse: boolean
  readonly noAttributes: boolean
}

/** The home's states, which remember each one they are given. */
export class RecordedStates extends Map<string, HassEntity> {
  private readonly recorded = new Map<string, Array<HassEntity>>()

  override set(entityId: string, state: HassEntity): this {
    super.set(entityId, state)
    // Map's constructor may call `set` before this class's fields exist.
    if (this.recorded === undefined) return this
    let states = this.recorded.get(entityId)
    if (states === undefined) this.recorded.set(entityId, states = [])
    states.push(state)
    if (states.length > MAX_RECORDED_STATES) states.splice(0, states.length - MAX_RECORDED_STATES)
    return this
  }

  /** Every state `entityId` was given, oldest first (removed entities keep theirs, as in HA). */
  recordedStates(entityId: string): ReadonlyArray<HassEntity> {
    return this.recorded.get(entityId) ?? []
  }

  /** The entities that have a recorded state. */
  recordedEntities(): ReadonlyArray<string> {
    return [...this.recorded.keys()]
  }

  /**
   * Each entity's states in `(start, end]` (the state it had at `start` first, its `lu` moved to `start`), in
   * history's compressed form; entities with none are left out.
   */
  history(query: HistoryQuery): Record<string, Array<Record<string, unknown>>> {
    const result: Record<string, Array<Record<string, unknown>>> = {}
    for (const entityId of query.entityIds ?? this.recordedEntities()) {
      const recorded = this.recordedStates(entityId)
      const out: Array<Record<string, unknown>> = []
      if (query.includeStartTimeState) {
        const before = recorded.filter((state) => Date.parse(state.last_updated) <= query.start).at(-1)
        if (before !== undefined) {
          const { lc: _, ...atStart } = historyState(before, query.noAttributes)
          out.push({ ...atStart, lu: query.start / 1000 })
        }
      }
      for (const state of recorded) {
        const updated = Date.parse(state.last_updated)
        if (updated <= query.start || updated > query.end) continue
        if (query.significantChangesOnly && !isSignificant(state)) continue
        // minimal_response: the first state whole, then the state and when it changed only.
        out.push(
          query.minimalResponse && out.length > 0
            ? { s: state.state, lu: seconds(state.last_changed) }
            : historyState(state, query.noAttributes)
        )
      }
      if (out.length > 0) result[entityId] = out
    }
    return result
  }
}
