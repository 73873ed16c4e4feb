/**
 * The simulator's history commands, as HA core's history/websocket_api.py answers them: `history/history_during_period`
 * once, and `history/stream`: its result, one batch of the recorded history up to now, then each change as it
 * happens (HA waits 0.35 s to group changes; the simulator sends each at once).
 */
import type { Client, SimulatorWorld } from "./commands.js"
import { addLiveStream } from "./liveStreams.js"
import { hasSignificantDomain, historyState, type HistoryQuery } from "./recorder.js"
import { errorMessage, type Period, readPeriod, resultMessage } from "./recorderArguments.js"

const FLAGS = ["include_start_time_state", "significant_changes_only", "minimal_response", "no_attributes"]

const query = (period: Extract<Period, { _tag: "Period" }>, end: number): HistoryQuery => ({
  start: period.start,
  end,
  entityIds: period.entityIds,
  includeStartTimeState: period.flag("include_start_time_state", true),
  significantChangesOnly: period.flag("significant_changes_only", true),
  minimalResponse: period.flag("minimal_response", false),
  noAttributes: period.flag("no_attributes", false)
})

/** `history/history_during_period`: each entity's states in the period; `{}` for a start in the future. */
export const historyDuringPeriod = (world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>): void => {
  const period = readPeriod(id, message, FLAGS)
  if (period._tag === "Refused") return world.reply(client, [period.reply])
  const now = Date.parse(world.home.now())
  if (period.start > now) return world.reply(client, [resultMessage(id, {})])
  world.reply(client, [resultMessage(id, world.home.states.history(query(period, period.end ?? now)))])
}

/** `history/stream`: the history up to now in one batch, then each change live (none after an `end_time` passed). */
export const historyStream = (world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>): void => {
  const period = readPeriod(id, message, FLAGS)
  if (period._tag === "Refused") return world.reply(client, [period.reply])
  const now = Date.parse(world.home.now())
  if (period.start > now) return world.reply(client, [errorMessage(id, "invalid_start_time", "Invalid start_time")])
  if (period.end !== undefined && period.end < period.start) {
    return world.reply(client, [errorMessage(id, "invalid_end_time", "Invalid end_time")])
  }
  const ended = period.end !== undefined && period.end <= now
  const historyQuery = query(period, ended ? period.end! : now)
  const states = world.home.states.history(historyQuery)
  // `end_time`: the newest state sent, or the end of the period when there was none (HA's `last_time_dt`).
  const newest = Math.max(0, ...Object.values(states).map((list) => Number(list.at(-1)?.lu ?? 0)))
  const batch = { states, start_time: period.start / 1000, end_time: newest > 0 ? newest : historyQuery.end / 1000 }
  // A stream whose end has passed is answered with its history alone; it stays registered, as in HA.
  addLiveStream(client, id, (change) => {
    const { new_state, old_state } = change
    if (ended || new_state === null || old_state === null) return undefined
    if (period.entityIds !== undefined && !period.entityIds.includes(new_state.entity_id)) return undefined
    if (period.end !== undefined && Date.parse(new_state.last_updated) > period.end) return undefined
    const filtered = historyQuery.significantChangesOnly || historyQuery.minimalResponse
    if (filtered && new_state.state === old_state.state && !hasSignificantDomain(new_state.entity_id)) return undefined
    return { states: { [new_state.entity_id]: [historyState(new_state, historyQuery.noAttributes)] } }
  })
  world.reply(client, [resultMessage(id), { id, type: "event", event: batch }])
}
