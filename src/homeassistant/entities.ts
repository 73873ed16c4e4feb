/**
 * The live entity store over `subscribe_entities`: one HA subscription shared by every consumer, started by the
 * first, released a grace period after the last leaves, and **replaced** (not merged) by the fresh snapshot HA sends
 * after every reconnect, so entities removed while disconnected disappear.
 */
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { applyEntitiesEventTo, copyEntities, type HassEntities } from "./compressedState.js"
import type { CommandError } from "./errors.js"
import { sharedLive } from "./internal/live.js"
import type { CommandMessage, HassEntity } from "./messages.js"
import { entityFilter } from "./entityFilter.js"
import { checkArgument } from "./schemas.js"

/** An event of a subscription, numbered by the session (attachment) it arrived on. */
export interface SessionEvent {
  readonly attachment: number
  readonly event: unknown
}

/** One side of an include/exclude filter, as HA's `entityfilter` reads it. */
export interface EntityFilterLists {
  /** Whole domains (`light`, `sensor`). */
  readonly domains?: ReadonlyArray<string>
  /** Entity-id globs, `*` and `?` (`sensor.*_temperature`). */
  readonly entityGlobs?: ReadonlyArray<string>
  /** Entity ids. */
  readonly entities?: ReadonlyArray<string>
}

/**
 * Which entities a filtered store holds: HA's `subscribe_entities` parameters, applied by HA, so nothing else crosses
 * the wire. `include` / `exclude` follow HA's entity-filter rules (an explicit entity beats a glob beats a domain)
 * and need an HA recent enough to accept them; an older one answers with a typed `CommandFailed`.
 */
export interface EntityFilter {
  /** Only these entity ids. */
  readonly entityIds?: ReadonlyArray<string>
  /** Entities to keep. */
  readonly include?: EntityFilterLists
  /** Entities to leave out. */
  readonly exclude?: EntityFilterLists
}

const Names = Schema.optional(Schema.Array(Schema.String))
const Lists = Schema.Struct({ domains: Names, entityGlobs: Names, entities: Names })
const Filter = Schema.Struct({ entityIds: Names, include: Schema.optional(Lists), exclude: Schema.optional(Lists) })
const checkFilter = checkArgument(Filter, "entitiesWith")

const lists = (filter: typeof Lists.Type) => ({
  ...(filter.domains === undefined ? {} : { domains: [...filter.domains] }),
  ...(filter.entityGlobs === undefined ? {} : { entity_globs: [...filter.entityGlobs] }),
  ...(filter.entities === undefined ? {} : { entities: [...filter.entities] })
})

/** The store's views. */
export interface EntityStore {
  /** The whole map: its current value first, then one value per change; shared by every consumer. */
  readonly entities: Stream.Stream<HassEntities, CommandError>
  /** The map now, like a `SubscriptionRef`'s `get`: joins the shared subscription (started if none) for its value. */
  readonly currentEntities: Effect.Effect<HassEntities, CommandError>
  /** One entity (`undefined` while it does not exist), emitted only when that entity changed. */
  readonly entity: (entityId: string) => Stream.Stream<HassEntity | undefined, CommandError>
  /** A store of only the entities `filter` names: its own HA subscription, ended with the Stream. */
  readonly entitiesWith: (filter: EntityFilter) => Stream.Stream<HassEntities, CommandError>
}

const message = (filter: typeof Filter.Type): CommandMessage => ({
  type: "subscribe_entities",
  ...(filter.entityIds === undefined ? {} : { entity_ids: [...filter.entityIds] }),
  ...(filter.include === undefined ? {} : { include: lists(filter.include) }),
  ...(filter.exclude === undefined ? {} : { exclude: lists(filter.exclude) })
})

/**
 * Folds a subscription's events into whole maps: one copy of the map per chunk of events (the events of a coalesced
 * frame, or of a burst already queued), then applied in place; a new attachment starts again from its snapshot.
 */
const fold = (events: Stream.Stream<SessionEvent, CommandError>): Stream.Stream<HassEntities, CommandError> =>
  Stream.suspend(() => {
    let attachment = 0
    let entities: HassEntities = {}
    return events.pipe(Stream.mapChunksEffect((chunk) => {
      if (Chunk.isEmpty(chunk)) return Effect.succeed(Chunk.empty<HassEntities>())
      let next: Record<string, HassEntity> | undefined
      const skipped: Array<string> = []
      for (const event of chunk) {
        if (event.attachment !== attachment) {
          attachment = event.attachment
          next = {}
        }
        next ??= copyEntities(entities)
        applyEntitiesEventTo(next, event.event, skipped)
      }
      entities = next ?? entities
      const out = Chunk.of(entities)
      // A malformed part of an event skips those entities, never the store: logged for whoever debugs it.
      return skipped.length === 0
        ? Effect.succeed(out)
        : Effect.as(Effect.logDebug("subscribe_entities: skipped a malformed change", { entities: skipped }), out)
    }))
  })

/** What the store needs for HA older than 2022.4, which has no `subscribe_entities` (HAWS picks the same way). */
export interface LegacySource {
  /** Whether the connected HA predates `subscribe_entities`. */
  readonly isLegacy: Effect.Effect<boolean, CommandError>
  readonly getStates: Effect.Effect<ReadonlyArray<HassEntity>, CommandError>
  /** Emits once each time the client is connected again after a loss. */
  readonly reconnected: Stream.Stream<void>
}

// Before 2022.4: `get_states`, then `state_changed` events (`new_state: null` removes), and `get_states` again after
// every reconnect, so the map is replaced there too.
const legacyEntities = (
  subscribe: (message: CommandMessage) => Stream.Stream<SessionEvent, CommandError>,
  legacy: LegacySource,
  publish: (entities: HassEntities) => Effect.Effect<void>
): Effect.Effect<void, CommandError, Scope.Scope> =>
  Effect.gen(function*() {
    let current: Record<string, HassEntity> = {}
    const snapshot = Effect.flatMap(legacy.getStates, (states) => {
      current = Object.fromEntries(states.map((state) => [state.entity_id, state]))
      return publish(current)
    })
    const changed = ({ event }: SessionEvent) => {
      const data = (event as { readonly data?: { readonly entity_id?: unknown; readonly new_state?: HassEntity | null } }).data
      if (typeof data?.entity_id !== "string") return Effect.void
      const next = copyEntities(current)
      if (data.new_state === null || data.new_state === undefined) delete next[data.entity_id]
      else next[data.entity_id] = data.new_state
      current = next
      return publish(current)
    }
    yield* Effect.forkScoped(Stream.runForEach(subscribe({ type: "subscribe_events", event_type: "state_changed" }), changed))
    yield* Effect.forkScoped(Stream.runForEach(legacy.reconnected, () => Effect.ignore(snapshot)))
    yield* snapshot
  })

/** Builds the store on `subscribe` (a tagged subscription); the shared subscription lives within the scope. */
export const makeEntityStore = (
  subscribe: (message: CommandMessage) => Stream.Stream<SessionEvent, CommandError>,
  gracePeriod: Duration.DurationInput,
  legacy: LegacySource
): Effect.Effect<EntityStore, never, Scope.Scope> =>
  Effect.map(
    sharedLive<HassEntities, CommandError>(
      ({ fail, publish }) =>
        Effect.flatMap(legacy.isLegacy, (isLegacy) =>
          isLegacy
            ? legacyEntities(subscribe, legacy, publish)
            : fold(subscribe(message({}))).pipe(Stream.runForEach(publish))).pipe(Effect.catchAll(fail)),
      gracePeriod
    ),
    (entities) => ({
      entities,
      currentEntities: Effect.map(Stream.runHead(entities), Option.getOrElse((): HassEntities => ({}))),
      entity: (entityId) =>
        entities.pipe(Stream.map((all) => all[entityId]), Stream.changesWith((a, b) => a === b)),
      entitiesWith: (filter) =>
        Either.match(checkFilter(filter), {
          onLeft: Stream.fail,
          onRight: (valid) =>
            Stream.unwrap(Effect.map(legacy.isLegacy, (isLegacy) => {
              if (!isLegacy) return fold(subscribe(message(valid)))
              // Before 2022.4 HA has no subscribe_entities to filter with: the shared store, filtered here by HA's rules.
              const keep = entityFilter(message(valid))
              return entities.pipe(
                Stream.map((all) => Object.fromEntries(Object.entries(all).filter(([entityId]) => keep(entityId))) as HassEntities),
                // A change to an entity the filter leaves out is not a change of this map.
                Stream.changesWith((a, b) => {
                  const keys = Object.keys(a)
                  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
                })
              )
            }))
        })
    })
  )
