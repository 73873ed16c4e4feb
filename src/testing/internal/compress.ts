/**
 * What HA core sends to `subscribe_entities`: `State.as_compressed_state` for whole states and `_state_diff` for
 * changes (homeassistant/core.py, websocket_api/messages.py), so the simulator's frames are HA's own.
 */
import type { HassContext, HassEntity } from "../../homeassistant/messages.js"

const seconds = (iso: string) => Date.parse(iso) / 1000

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** `as_compressed_state`: `c` is the context id alone when parent_id and user_id are null; `lu` only if it differs. */
export const compressState = (state: HassEntity): Record<string, unknown> => {
  const { context } = state
  const compressed: Record<string, unknown> = {
    s: state.state,
    a: state.attributes,
    c: context.parent_id === null && context.user_id === null ? context.id : { ...context },
    lc: seconds(state.last_changed)
  }
  if (state.last_changed !== state.last_updated) compressed.lu = seconds(state.last_updated)
  return compressed
}

/** `_state_diff`: what changed from `old` to `next`, as `{ "+": {...}, "-": { a: [...] } }`. */
export const stateDiff = (old: HassEntity, next: HassEntity): Record<string, unknown> => {
  const additions: Record<string, unknown> = {}
  const diff: Record<string, unknown> = { "+": additions }
  if (old.state !== next.state) additions.s = next.state
  if (old.last_changed !== next.last_changed) additions.lc = seconds(next.last_changed)
  else if (old.last_updated !== next.last_updated) additions.lu = seconds(next.last_updated)
  const context: Partial<Record<keyof HassContext, string | null>> = {}
  if (old.context.parent_id !== next.context.parent_id) context.parent_id = next.context.parent_id
  if (old.context.user_id !== next.context.user_id) context.user_id = next.context.user_id
  if (old.context.id !== next.context.id) {
    if (Object.keys(context).length > 0) context.id = next.context.id
    else additions.c = next.context.id
  }
  if (Object.keys(context).length > 0) additions.c = context
  const added = Object.fromEntries(
    Object.entries(next.attributes).filter(([key, value]) => !(key in old.attributes) || !sameValue(old.attributes[key], value))
  )
  if (Object.keys(added).length > 0) additions.a = added
  const removed = Object.keys(old.attributes).filter((key) => !(key in next.attributes))
  if (removed.length > 0) diff["-"] = { a: removed }
  return diff
}
