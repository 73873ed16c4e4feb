/**
 * The compressed entity states of `subscribe_entities` (HA ≥ 2022.4), expanded to full entities exactly as HA core
 * builds them (`State.as_compressed_state`, `_state_diff`) and home-assistant-js-websocket expands them. Checked by
 * hand-written guards rather than a Schema, because this runs for every state change of a whole home.
 */
import type { HassContext, HassEntity } from "./messages.js"

/** Entities by id: the live store's value. */
export type HassEntities = Readonly<Record<string, HassEntity>>

type Json = Readonly<Record<string, unknown>>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const isNullableString = (u: unknown): u is string | null => u === null || typeof u === "string"
const isTimestamp = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)
const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

// `c` is the context id alone when its parent_id and user_id are null, else the whole context.
const fullContext = (c: unknown): HassContext | undefined => {
  if (typeof c === "string") return { id: c, parent_id: null, user_id: null }
  return isObject(c) && typeof c.id === "string" && isNullableString(c.parent_id) && isNullableString(c.user_id)
    ? { id: c.id, parent_id: c.parent_id, user_id: c.user_id }
    : undefined
}

/** A compressed state (`{ s, a, c, lc, lu? }`) as a full entity, or `undefined` if it is malformed. */
export const expandState = (entityId: string, compressed: unknown): HassEntity | undefined => {
  if (!isObject(compressed) || typeof compressed.s !== "string" || !isObject(compressed.a)) return undefined
  const context = fullContext(compressed.c)
  if (context === undefined || !isTimestamp(compressed.lc)) return undefined
  if (compressed.lu !== undefined && !isTimestamp(compressed.lu)) return undefined
  const lastChanged = iso(compressed.lc)
  return {
    entity_id: entityId,
    state: compressed.s,
    attributes: compressed.a,
    context,
    last_changed: lastChanged,
    last_updated: compressed.lu === undefined ? lastChanged : iso(compressed.lu)
  }
}

/** Applies one diff (`{ "+": {...}, "-": { a: [...] } }`) to `entity`, or `undefined` if the diff is malformed. */
export const applyDiff = (entity: HassEntity, diff: unknown): HassEntity | undefined => {
  if (!isObject(diff)) return undefined
  const add = diff["+"]
  const remove = diff["-"]
  if ((add !== undefined && !isObject(add)) || (remove !== undefined && !isObject(remove))) return undefined
  const removed = remove?.a
  if (removed !== undefined && !(Array.isArray(removed) && removed.every((key) => typeof key === "string"))) return undefined
  if (add?.s !== undefined && typeof add.s !== "string") return undefined
  if (add?.a !== undefined && !isObject(add.a)) return undefined
  if ((add?.lc !== undefined && !isTimestamp(add.lc)) || (add?.lu !== undefined && !isTimestamp(add.lu))) return undefined

  let context = entity.context
  if (add?.c !== undefined) {
    if (typeof add.c === "string") {
      context = { ...context, id: add.c }
    } else if (isObject(add.c)) {
      const { id, parent_id, user_id } = add.c
      if ((id !== undefined && typeof id !== "string") || (parent_id !== undefined && !isNullableString(parent_id)) ||
        (user_id !== undefined && !isNullableString(user_id))) return undefined
      context = { ...context, ...(id === undefined ? {} : { id }), ...(parent_id === undefined ? {} : { parent_id }),
        ...(user_id === undefined ? {} : { user_id }) }
    } else {
      return undefined
    }
  }
  let attributes = entity.attributes
  if (add?.a !== undefined || removed !== undefined) {
    const changed: Record<string, unknown> = { ...entity.attributes, ...(add?.a as Json | undefined) }
    for (const key of (removed ?? []) as ReadonlyArray<string>) delete changed[key]
    attributes = changed
  }
  // `lc` moves both timestamps (a changed state is an update too); `lu` alone moves last_updated.
  const lastChanged = add?.lc === undefined ? entity.last_changed : iso(add.lc as number)
  const lastUpdated = add?.lc !== undefined ? lastChanged : add?.lu === undefined ? entity.last_updated : iso(add.lu as number)
  return {
    entity_id: entity.entity_id,
    state: add?.s === undefined ? entity.state : (add.s as string),
    attributes,
    context,
    last_changed: lastChanged,
    last_updated: lastUpdated
  }
}

/** What applying one `subscribe_entities` event did: the new store, and the ids whose part of it was skipped. */
export interface EntitiesUpdate {
  readonly entities: HassEntities
  /** Ids whose addition or change was malformed, or changed an entity the store does not have. */
  readonly skipped: ReadonlyArray<string>
}

/** A fresh, mutable copy of `entities` (a plain loop: twice as fast as `Object.assign` or a spread on 5,000 keys). */
export const copyEntities = (entities: HassEntities): Record<string, HassEntity> => {
  const copy: Record<string, HassEntity> = {}
  for (const id in entities) copy[id] = entities[id] as HassEntity
  return copy
}

/**
 * Applies one `subscribe_entities` event (`a` additions, `r` removals, `c` changes) to `target` in place, pushing
 * onto `skipped` the ids whose part was malformed or changed an entity `target` does not have (the rest applies).
 */
export const applyEntitiesEventTo = (target: Record<string, HassEntity>, event: unknown, skipped: Array<string>): void => {
  if (!isObject(event)) {
    skipped.push("(the event is not an object)")
    return
  }
  if (isObject(event.a)) {
    for (const id in event.a) {
      const entity = expandState(id, event.a[id])
      if (entity === undefined) skipped.push(id)
      else target[id] = entity
    }
  }
  if (Array.isArray(event.r)) {
    for (const id of event.r) {
      if (typeof id === "string") delete target[id]
      else skipped.push(String(id))
    }
  }
  if (isObject(event.c)) {
    for (const id in event.c) {
      const entity = target[id]
      const changed = entity === undefined ? undefined : applyDiff(entity, event.c[id])
      if (changed === undefined) skipped.push(id)
      else target[id] = changed
    }
  }
}

/**
 * Applies one `subscribe_entities` event to `current`, returning a new map (`current` is left as it was). Unchanged
 * entities keep their object identity, so a consumer of one entity can tell it did not change. A malformed part
 * skips that entity only; the rest of the event still applies.
 */
export const applyEntitiesEvent = (current: HassEntities, event: unknown): EntitiesUpdate => {
  if (!isObject(event)) return { entities: current, skipped: ["(the event is not an object)"] }
  const next = copyEntities(current)
  const skipped: Array<string> = []
  applyEntitiesEventTo(next, event, skipped)
  return { entities: next, skipped }
}
