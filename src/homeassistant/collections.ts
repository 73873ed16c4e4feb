/**
 * Live collections (HAWS `getCollection`): a value fetched by one command, fetched again (debounced, 500 ms, and at
 * least every 2 s while events keep coming) on the events that change it and after every reconnect, shared by every consumer and released a grace period after the last.
 * Results are decoded with their Schema; a reply that does not match fails the collection with `InvalidMessage`.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type InvalidMessage, InvalidOption } from "../core/errors.js"
import { durationOr } from "../core/duration.js"
import { versionBefore } from "./protocol.js"
import type { CommandError } from "./errors.js"
import { debounced } from "./internal/debounce.js"
import { sharedLive } from "./internal/live.js"
import type { CommandMessage, HassEvent } from "./messages.js"
import {
  AreaRegistryEntry,
  decodeResult,
  DeviceRegistryEntry,
  EntityRegistryDisplay,
  EntityRegistryEntry,
  FloorRegistryEntry,
  HassConfig,
  HassServices,
  HassUser,
  LabelRegistryEntry
} from "./schemas.js"


/** What a collection needs of the client. */
export interface CollectionClient {
  readonly sendMessage: (message: CommandMessage) => Effect.Effect<unknown, CommandError | InvalidMessage>
  /** The connected HA's version (which command a collection fetches with may depend on it). */
  readonly haVersion: Effect.Effect<string, CommandError>
  readonly subscribeEvents: (eventType: string) => Stream.Stream<HassEvent, CommandError>
  /** Emits once each time the client is connected again after a loss. */
  readonly reconnected: Stream.Stream<void>
}

/** The collections of one client. */
export interface Collections {
  /** `get_config`, refreshed on `core_config_updated`, `component_loaded` and `homeassistant_started`. */
  readonly config: Stream.Stream<HassConfig, CommandError | InvalidMessage>
  /** `get_services`, refreshed on `service_registered` and `service_removed`. */
  readonly services: Stream.Stream<HassServices, CommandError | InvalidMessage>
  /** `auth/current_user`. */
  readonly currentUser: Stream.Stream<HassUser, CommandError | InvalidMessage>
  /** `config/entity_registry/list_for_display`, refreshed on `entity_registry_updated`. */
  readonly entityRegistry: Stream.Stream<EntityRegistryDisplay, CommandError | InvalidMessage>
  /** `config/device_registry/list`, refreshed on `device_registry_updated`. */
  readonly deviceRegistry: Stream.Stream<ReadonlyArray<DeviceRegistryEntry>, CommandError | InvalidMessage>
  /** `config/area_registry/list`, refreshed on `area_registry_updated`. */
  readonly areaRegistry: Stream.Stream<ReadonlyArray<AreaRegistryEntry>, CommandError | InvalidMessage>
  /** `config/entity_registry/list`, the full registry (disabled entities, `unique_id`), on `entity_registry_updated`. */
  readonly entityRegistryFull: Stream.Stream<ReadonlyArray<EntityRegistryEntry>, CommandError | InvalidMessage>
  /** `config/floor_registry/list`, refreshed on `floor_registry_updated` (HA 2024.4+; older: `unknown_command`). */
  readonly floorRegistry: Stream.Stream<ReadonlyArray<FloorRegistryEntry>, CommandError | InvalidMessage>
  /** `config/label_registry/list`, refreshed on `label_registry_updated` (HA 2024.4+; older: `unknown_command`). */
  readonly labelRegistry: Stream.Stream<ReadonlyArray<LabelRegistryEntry>, CommandError | InvalidMessage>
}

/** How long a collection waits after the last event that changes it before fetching it again. */
export const REFRESH_DEBOUNCE: Duration.Duration = Duration.millis(500)

/**
 * A collection of your own (HAWS's `getCollection`): `command` fetched and decoded with `schema`, fetched again
 * `debounce` (500 ms) after the last of `refreshOn`'s events (or 4 × `debounce` after the first of a steady trickle)
 * and after every reconnect; shared by every consumer,
 * released `gracePeriod` after the last. The built-in collections are made with it.
 */
export interface CollectionOptions<A, I> {
  /** The command that fetches the value: a command type, or the whole message. */
  readonly command: string | CommandMessage
  readonly schema: Schema.Schema<A, I>
  /** The event types that change it. */
  readonly refreshOn?: ReadonlyArray<string>
  /** How long after the last event to fetch again. Default 500 ms, as HA's frontend does. */
  readonly debounce?: Duration.DurationInput
}

/** A live collection's Stream: its current value first, then every refreshed one. */
export const makeCollection = <A, I>(
  client: CollectionClient,
  options: CollectionOptions<A, I>,
  gracePeriod: Duration.DurationInput
): Effect.Effect<Stream.Stream<A, CommandError | InvalidMessage>, InvalidOption, Scope.Scope> =>
  Effect.gen(function*() {
    if (typeof options !== "object" || options === null) {
      return yield* new InvalidOption({ option: "options", reason: "expected { command, schema, refreshOn?, debounce? }" })
    }
    const command = options.command
    const message = typeof command === "string" && command.length > 0
      ? { type: command }
      : typeof command === "object" && command !== null && typeof (command as { type?: unknown }).type === "string"
      ? command
      : yield* new InvalidOption({ option: "command", reason: "expected a command type or a message with a string type" })
    if (!Schema.isSchema(options.schema)) {
      return yield* new InvalidOption({ option: "schema", reason: "expected a Schema to decode the result with" })
    }
    const refreshOn = options.refreshOn ?? []
    if (!Array.isArray(refreshOn) || !refreshOn.every((type) => typeof type === "string")) {
      return yield* new InvalidOption({ option: "refreshOn", reason: "expected an array of event types" })
    }
    const debounce = yield* durationOr("debounce", options.debounce, REFRESH_DEBOUNCE)
    return yield* collection(client, message, options.schema, refreshOn, gracePeriod, debounce)
  })

const collection = <A, I>(
  client: CollectionClient,
  message: CommandMessage,
  schema: Schema.Schema<A, I>,
  refreshOn: ReadonlyArray<string>,
  gracePeriod: Duration.DurationInput,
  debounce: Duration.DurationInput = REFRESH_DEBOUNCE,
  fetchWith?: Effect.Effect<A, CommandError | InvalidMessage>
) => {
  const command = String(message.type)
  const fetch = fetchWith ?? Effect.flatMap(client.sendMessage(message), decodeResult(schema, command))
  return sharedLive<A, CommandError | InvalidMessage>(
    ({ fail, hasValue, publish }) =>
      Effect.gen(function*() {
        // A failed first fetch fails the consumers; a failed refresh keeps the last good value (and says so).
        const refresh = Effect.matchEffect(fetch, {
          onSuccess: publish,
          onFailure: (error) =>
            Effect.flatMap(hasValue, (has) =>
              has ? Effect.logWarning(`${command}: refreshing failed, keeping the last value`, error._tag) : fail(error))
        })
        // Subscribed first, so a change between the fetch and the subscription is not missed.
        // Refreshes are debounced as HA's frontend does them (500 ms): a burst of 1,200 registry events costs one
        // fetch once it is over, not 1,200 (node-red-contrib-home-assistant-websocket #809 brought HA down that way).
        // A steady trickle of events (each within the debounce of the last) still refreshes every 4 debounces.
        const events = Stream.mergeAll([...refreshOn.map((type) => client.subscribeEvents(type)), client.reconnected], {
          concurrency: "unbounded"
        })
        yield* debounced(events, debounce, Duration.times(Duration.decode(debounce), 4), refresh).pipe(
          Effect.catchAll(fail),
          Effect.forkScoped
        )
        yield* refresh
      }),
    gracePeriod
  )
}

/** Builds the collections; each starts with its first consumer. */
export const makeCollections = (
  client: CollectionClient,
  gracePeriod: Duration.DurationInput
): Effect.Effect<Collections, never, Scope.Scope> =>
  Effect.all({
    // component_loaded too: the config's `components` grows as integrations load (HAWS refreshes on it as well).
    config: collection(client, { type: "get_config" }, HassConfig, ["core_config_updated", "component_loaded", "homeassistant_started"], gracePeriod),
    services: collection(client, { type: "get_services" }, HassServices, ["service_registered", "service_removed"], gracePeriod),
    currentUser: collection(client, { type: "auth/current_user" }, HassUser, [], gracePeriod),
    entityRegistry: collection(client, { type: "config/entity_registry/list_for_display" }, EntityRegistryDisplay, [
      "entity_registry_updated"
    ], gracePeriod, REFRESH_DEBOUNCE, entityRegistryDisplay(client)),
    deviceRegistry: collection(client, { type: "config/device_registry/list" }, Schema.Array(DeviceRegistryEntry), [
      "device_registry_updated"
    ], gracePeriod),
    areaRegistry: collection(client, { type: "config/area_registry/list" }, Schema.Array(AreaRegistryEntry), [
      "area_registry_updated"
    ], gracePeriod),
    entityRegistryFull: collection(client, { type: "config/entity_registry/list" }, Schema.Array(EntityRegistryEntry), [
      "entity_registry_updated"
    ], gracePeriod),
    floorRegistry: collection(client, { type: "config/floor_registry/list" }, Schema.Array(FloorRegistryEntry), [
      "floor_registry_updated"
    ], gracePeriod, REFRESH_DEBOUNCE, since2024_4(client, "config/floor_registry/list", FloorRegistryEntry)),
    labelRegistry: collection(client, { type: "config/label_registry/list" }, Schema.Array(LabelRegistryEntry), [
      "label_registry_updated"
    ], gracePeriod, REFRESH_DEBOUNCE, since2024_4(client, "config/label_registry/list", LabelRegistryEntry))
  })

/**
 * The display form of the entity registry: `list_for_display` from HA 2023.3, which has it; before, made from the
 * full `config/entity_registry/list` as HA makes it (enabled entities only; `ei`, `pl`, and `di`, `ai`, `en`, `ec`,
 * `hb` where set).
 */
const entityRegistryDisplay = (client: CollectionClient): Effect.Effect<EntityRegistryDisplay, CommandError | InvalidMessage> =>
  Effect.flatMap(client.haVersion, (version) =>
    versionBefore(version, 2023, 3)
      ? Effect.flatMap(
        client.sendMessage({ type: "config/entity_registry/list" }),
        (result) => Effect.map(decodeResult(Schema.Array(EntityRegistryEntry), "config/entity_registry/list")(result), displayOf)
      )
      : Effect.flatMap(
        client.sendMessage({ type: "config/entity_registry/list_for_display" }),
        decodeResult(EntityRegistryDisplay, "config/entity_registry/list_for_display")
      ))

const CATEGORIES = ["config", "diagnostic"] as const

const displayOf = (entries: ReadonlyArray<EntityRegistryEntry>): EntityRegistryDisplay => ({
  entity_categories: { "0": "config", "1": "diagnostic" },
  entities: entries.filter((entry) => entry.disabled_by === null).map((entry) => {
    const category = CATEGORIES.indexOf(entry.entity_category as (typeof CATEGORIES)[number])
    return {
      ei: entry.entity_id,
      pl: entry.platform,
      ...(typeof entry.device_id === "string" ? { di: entry.device_id } : {}),
      ...(typeof entry.area_id === "string" ? { ai: entry.area_id } : {}),
      ...(typeof entry.name === "string" ? { en: entry.name } : {}),
      ...(category >= 0 ? { ec: category } : {}),
      ...(typeof entry.hidden_by === "string" ? { hb: true } : {})
    }
  })
})

/** Floors and labels came with HA 2024.4: before it, a home has none (the command is `unknown_command` there). */
const since2024_4 = <A, I>(
  client: CollectionClient,
  command: string,
  entry: Schema.Schema<A, I>
): Effect.Effect<ReadonlyArray<A>, CommandError | InvalidMessage> =>
  Effect.flatMap(client.haVersion, (version) =>
    versionBefore(version, 2024, 4)
      ? Effect.succeed([])
      : Effect.flatMap(client.sendMessage({ type: command }), decodeResult(Schema.Array(entry), command)))
