/**
 * The simulator's `logbook/event_stream`, as HA core's logbook/websocket_api.py answers it: its result, the entries
 * since `start_time` (a `partial` batch if there are any, then a last historical batch), then each entry live. Entries
 * are the recorded state changes (a new `state`, not an attribute alone); entities with a unit or a state class are
 * left out, as HA leaves them out. Other logbook events (automations, scripts) and `device_ids` are not simulated.
 */
import type { HassEntity } from "../../homeassistant/messages.js"
import type { Client, SimulatorWorld } from "./commands.js"
import { addLiveStream } from "./liveStreams.js"
import { type RecordedStates, seconds } from "./recorder.js"
import { errorMessage, readPeriod, resultMessage } from "./recorderArguments.js"

// HA's `async_filter_entities`: continuous sensors are the history graph's business, not the logbook's.
const isContinuous = (state: HassEntity | undefined) =>
  state !== undefined && ("unit_of_measurement" in state.attributes || "state_class" in state.attributes)

/** A state change as a logbook entry (`EventProcessor` with timestamps, without entity names). */
const entry = (state: HassEntity): Record<string, unknown> => ({
  when: seconds(state.last_updated),
  state: state.state,
  entity_id: state.entity_id,
  ...(state.context.user_id === null ? {} : { context_user_id: state.context.user_id })
})

/** The entries in `(start, end]`, oldest first. */
const entriesBetween = (states: RecordedStates, entityIds: ReadonlyArray<string>, start: number, end: number) => {
  const entries: Array<Record<string, unknown>> = []
  for (const entityId of entityIds) {
    const recorded = states.recordedStates(entityId)
    for (let i = 1; i < recorded.length; i++) {
      const state = recorded[i]!
      const updated = Date.parse(state.last_updated)
      if (updated > start && updated <= end && state.state !== recorded[i - 1]!.state) entries.push(entry(state))
    }
  }
  return entries.sort((a, b) => (a.when as number) - (b.when as number))
}

/** `logbook/event_stream`: the entries since `start_time`, then each one as it happens (until an `end_time`). */
export const logbookStream = (world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>): void => {
  const period = readPeriod(id, message, [])
  if (period._tag === "Refused") return world.reply(client, [period.reply])
  if (message.device_ids !== undefined && !(Array.isArray(message.device_ids) && message.device_ids.every((d) => typeof d === "string"))) {
    return world.reply(client, [errorMessage(id, "invalid_format", "expected a list for dictionary value @ data['device_ids']")])
  }
  const now = Date.parse(world.home.now())
  if (period.start > now) return world.reply(client, [errorMessage(id, "invalid_start_time", "Invalid start_time")])
  if (period.end !== undefined && period.end < period.start) return world.reply(client, [errorMessage(id, "invalid_end_time", "Invalid end_time")])
  const states = world.home.states
  const wanted = (period.entityIds ?? states.recordedEntities()).filter((entityId) => !isContinuous(states.get(entityId)))
  const batch = (events: ReadonlyArray<unknown>, start: number, end: number, partial = false) => ({
    id,
    type: "event",
    event: { events, start_time: start / 1000, end_time: end / 1000, ...(partial ? { partial: true } : {}) }
  })
  if (period.entityIds !== undefined && wanted.length === 0 && message.device_ids === undefined) {
    // Everything asked for was filtered away: an empty answer, and no subscription (HA's `_async_send_empty_response`).
    return world.reply(client, [resultMessage(id), batch([], period.start, period.end ?? now)])
  }
  const ended = period.end !== undefined && period.end <= now
  addLiveStream(client, id, ({ new_state, old_state }) => {
    if (ended || new_state === null || old_state === null || new_state.state === old_state.state) return undefined
    if (!wanted.includes(new_state.entity_id) && (period.entityIds !== undefined || isContinuous(new_state))) return undefined
    if (period.end !== undefined && Date.parse(new_state.last_updated) > period.end) return undefined
    return { events: [entry(new_state)] }
  })
  if (ended) return world.reply(client, [resultMessage(id), batch(entriesBetween(states, wanted, period.start, period.end!), period.start, period.end!)])
  const events = entriesBetween(states, wanted, period.start, now)
  const replies: Array<unknown> = [resultMessage(id)]
  if (events.length > 0) replies.push(batch(events, period.start, now, true))
  const last = events.at(-1)?.when
  replies.push(batch([], typeof last === "number" ? last * 1000 : period.start, now))
  world.reply(client, replies)
}
