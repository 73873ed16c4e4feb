/**
 * The Home Assistant client service: its interface and Tag. `HomeAssistant.ts` builds it.
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { CommandError, Disconnected } from "./errors.js"
import type { CollectionOptions, Collections } from "./collections.js"
import type { HassEntities } from "./compressedState.js"
import type { EntityFilter } from "./entities.js"
import type { ConnectionState } from "../live/LiveSession.js"
import type { CallServiceOutcome, CommandMessage, HassEntity, HassEvent, ServiceTarget } from "./messages.js"
import type { CommandOptions } from "./options.js"
import type { HassConfig } from "./schemas.js"
import type { InvalidMessage, InvalidOption } from "../core/errors.js"
import type { renderTemplate, subscribeTrigger } from "./subscriptions.js"
import type { VoiceOperations } from "./voice.js"
import type { ScriptOperations } from "./scripts.js"
import type { RecorderOperations } from "./recorder.js"

/**
 * How a `subscribeMessage` subscription lives across reconnects: subscribed again on every new connection (the
 * default), or `resubscribe: false`, never (its Stream fails with `ConnectionLost` when the connection is lost). The
 * message may also be a function of the connection (its `haVersion`), rebuilt on each.
 */
export interface SubscribeMessageOptions {
  readonly resubscribe?: boolean
}

/**
 * An event of a `subscribeMessageNumbered` Stream: `attachment` is 1 for the first subscribe and one more for each
 * re-subscribe (a reconnect, or HA restarting), so a consumer tells a restarted subscription from a continued one.
 */
export interface NumberedEvent {
  readonly attachment: number
  readonly event: unknown
}

/** The client's collections by name, and `entities`, for `readyWith`. */
export type ReadyCollection = keyof Collections | "entities"

/** The Home Assistant client service. */
export class HomeAssistant extends Context.Tag("effect-ws-gateway/HomeAssistant")<
  HomeAssistant,
  {
    /** The version of the Home Assistant currently connected. */
    readonly haVersion: Effect.Effect<string, Disconnected>
    /** The connection state now. */
    readonly connectionState: Effect.Effect<ConnectionState>
    /** The connection state, then every change of it. */
    readonly connectionStates: Stream.Stream<ConnectionState>
    /** Sends any command (the client adds the id) and resolves with its `result`. */
    readonly sendMessage: (message: CommandMessage, options?: CommandOptions) => Effect.Effect<unknown, CommandError>
    /**
     * `call_service`; with `returnResponse` the result carries the service's `response`. Never re-sent. A restart,
     * stop or core update whose connection drops after the write succeeds with `{ wentAway: true }`.
     */
    readonly callService: <Domain extends string, Service extends string>(
      domain: Domain,
      service: Service,
      serviceData?: Readonly<Record<string, unknown>>,
      target?: ServiceTarget,
      options?: CommandOptions & { readonly returnResponse?: boolean }
    ) => Effect.Effect<CallServiceOutcome<Domain, Service>, CommandError>
    /** Every entity's current state (`get_states`). */
    readonly getStates: (options?: CommandOptions) => Effect.Effect<ReadonlyArray<HassEntity>, CommandError>
    /** The instance's configuration (`get_config`): location, units, version, components. */
    readonly getConfig: (options?: CommandOptions) => Effect.Effect<Readonly<Record<string, unknown>>, CommandError>
    /** Every registered service, by domain (`get_services`). */
    readonly getServices: (options?: CommandOptions) => Effect.Effect<Readonly<Record<string, unknown>>, CommandError>
    /** Round-trip time of a `ping`. */
    readonly ping: (options?: CommandOptions) => Effect.Effect<Duration.Duration, CommandError>
    /** `execute_script`: runs the actions once (never re-sent) and resolves with the run's context and `response`. */
    readonly executeScript: ScriptOperations["executeScript"]
    /** `fire_event`: fires the event once (never re-sent) and resolves with its context. */
    readonly fireEvent: ScriptOperations["fireEvent"]
    /** `validate_config`: HA's verdict, `{ valid, error }`, on each of `trigger`, `condition`, `action` given. */
    readonly validateConfig: ScriptOperations["validateConfig"]
    /** `test_condition`: whether the condition passes now, as HA evaluates it (`{ result }`). */
    readonly testCondition: ScriptOperations["testCondition"]
    /**
     * `history/stream`, live: each entity's states over a moving `window` (24 h), merged per entity; made again with a
     * fresh start after every reconnect, that batch replacing the history (`reset: true`), never appended twice.
     */
    readonly history: RecorderOperations["history"]
    /** `history/history_during_period`: each entity's states between `start` and `end`, decoded; sent once. */
    readonly historyDuringPeriod: RecorderOperations["historyDuringPeriod"]
    /** `recorder/statistics_during_period`: each statistic's rows (mean, min, max, sum...) per period, decoded. */
    readonly statisticsDuringPeriod: RecorderOperations["statisticsDuringPeriod"]
    /** `logbook/event_stream`, live: the entries since `start`, then each new one; none twice across reconnects. */
    readonly logbook: RecorderOperations["logbook"]
    /**
     * `assist_pipeline/run`: text or 16 kHz mono 16-bit PCM audio in, the pipeline's typed events out, ending after
     * `run-end`; HA's `error` event is `AssistPipelineError`. Audio goes in binary frames paced by the socket; the run
     * is never re-sent (a lost connection is `ConnectionLost`).
     */
    readonly assist: VoiceOperations["assist"]
    /** `conversation/process`: HA's answer, decoded (an unmatched intent is an answer with `response_type: "error"`). */
    readonly conversationProcess: VoiceOperations["conversationProcess"]
    /** `assist_pipeline/pipeline/list`: the Assist pipelines and the preferred one's id, decoded. */
    readonly listPipelines: VoiceOperations["listPipelines"]
    /** `auth/sign_path`: a path on HA (a TTS answer's `url`) as an absolute URL a plain HTTP client may fetch. */
    readonly signedUrl: VoiceOperations["signedUrl"]
    /** Events of one type (or all); re-subscribed after every reconnect; ending the Stream unsubscribes. */
    readonly subscribeEvents: (eventType?: string) => Stream.Stream<HassEvent, CommandError>
    /** Any subscription command (`subscribe_trigger`, `render_template`, ...), as a Stream of its events. */
    readonly subscribeMessage: (
      message: CommandMessage | ((connection: { readonly haVersion: string }) => CommandMessage),
      options?: SubscribeMessageOptions
    ) => Stream.Stream<unknown, CommandError>
    /** `subscribeMessage`, each event with the number of the subscribe it came on (`NumberedEvent`). */
    readonly subscribeMessageNumbered: (
      message: CommandMessage | ((connection: { readonly haVersion: string }) => CommandMessage),
      options?: SubscribeMessageOptions
    ) => Stream.Stream<NumberedEvent, CommandError>
    /**
     * Every entity, live (`subscribe_entities`): the current map first, then one per change. One HA subscription
     * serves every consumer; after a reconnect the map is replaced by HA's fresh snapshot.
     */
    readonly entities: Stream.Stream<HassEntities, CommandError>
    /** The entity map now (the shared subscription's current value; it is started if no consumer holds it). */
    readonly currentEntities: Effect.Effect<HassEntities, CommandError>
    /** One entity, live: emitted only when it changed; `undefined` while it does not exist. */
    readonly entity: (entityId: string) => Stream.Stream<HassEntity | undefined, CommandError>
    /** Only the entities `filter` names, live, on a subscription of their own (HA filters them server-side). */
    readonly entitiesWith: (filter: EntityFilter) => Stream.Stream<HassEntities, CommandError>
    /** `get_config`, live: refreshed on its events (debounced) and after every reconnect; shared. */
    readonly config: Collections["config"]
    /**
     * Completes, with the config, once Home Assistant runs (`get_config`'s `state` is `RUNNING`): at once on a
     * running HA; after `homeassistant_started` on one still starting, reconnects included.
     */
    readonly ready: Effect.Effect<HassConfig, CommandError | InvalidMessage>
    /** `ready`, and each named collection (or `entities`) has loaded its first value; a name it lacks is `InvalidOption`. */
    readonly readyWith: (
      collections: ReadonlyArray<ReadyCollection>
    ) => Effect.Effect<HassConfig, CommandError | InvalidMessage | InvalidOption>
    /** `get_services`, live: refreshed on `service_registered` / `service_removed` and after every reconnect. */
    readonly services: Collections["services"]
    /** `auth/current_user`, live: refreshed after every reconnect. */
    readonly currentUser: Collections["currentUser"]
    /** The entity, device and area registries, live: each refreshed on its `*_registry_updated` event. */
    readonly entityRegistry: Collections["entityRegistry"]
    /** See `entityRegistry`. */
    readonly deviceRegistry: Collections["deviceRegistry"]
    /** See `entityRegistry`. */
    readonly areaRegistry: Collections["areaRegistry"]
    /** `config/entity_registry/list`, live: the full registry, disabled entities and `unique_id` included. */
    readonly entityRegistryFull: Collections["entityRegistryFull"]
    /** `config/floor_registry/list`, live: refreshed on `floor_registry_updated` (HA 2024.4+). */
    readonly floorRegistry: Collections["floorRegistry"]
    /** `config/label_registry/list`, live: refreshed on `label_registry_updated` (HA 2024.4+). */
    readonly labelRegistry: Collections["labelRegistry"]
    /**
     * A live collection of your own, as the built-in ones are made: `command` fetched and decoded with `schema`,
     * fetched again (debounced) after `refreshOn`'s events and every reconnect, shared, released after its last
     * consumer (`entitiesGracePeriod`). Make it once, in a scope; read it as often as you like.
     */
    readonly collection: <A, I>(
      options: CollectionOptions<A, I>
    ) => Effect.Effect<Stream.Stream<A, CommandError | InvalidMessage>, InvalidOption, Scope.Scope>
    /** `render_template`, live: every rendering, again whenever what it reads changes; errors are `TemplateError`. */
    readonly renderTemplate: ReturnType<typeof renderTemplate>
    /** `subscribe_trigger`, live: every firing of an automation trigger, re-subscribed after every reconnect. */
    readonly subscribeTrigger: ReturnType<typeof subscribeTrigger>
    /** Closes the socket cleanly and holds reconnecting until `resume` (a backgrounded tab, a sleeping device). */
    readonly suspend: Effect.Effect<void>
    /** Reconnects after `suspend`, restoring every subscription as after any reconnect. */
    readonly resume: Effect.Effect<void>
  }
>() {}
