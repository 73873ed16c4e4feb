/**
 * The Home Assistant client: authentication, atomic ids, typed commands, subscriptions as Streams, reconnect with
 * re-subscription, and a heartbeat — on the core `WebSocketClient`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { durationOr } from "../core/duration.js"
import { InvalidOption, type InvalidMessage, type InvalidUrl } from "../core/errors.js"
import type { WebSocketClient } from "../core/WebSocketClient.js"
import * as LiveSession from "../live/LiveSession.js"
import { type CommandError, Disconnected, InsecureConnection, type OpenError } from "./errors.js"
import {
  callServiceMessage,
  serviceCallGoesAway,
  type ServiceCallWentAway,
  type CommandMessage,
  type HassEntity,
  type HassEvent,
  subscribeEventsMessage
} from "./messages.js"
import { homeAssistantProtocol, versionBefore } from "./protocol.js"
import { isLoopbackHost, websocketApiUrl } from "./url.js"
import { httpBaseOf } from "./signedUrl.js"
import { makeVoiceOperations } from "./voice.js"
import { makeCollection, makeCollections } from "./collections.js"
import { makeEntityStore, type SessionEvent } from "./entities.js"
import { makeStartedCount, renderTemplate, subscribeTrigger } from "./subscriptions.js"
import { retryAfterStartup } from "./startup.js"
import { makeScriptOperations } from "./scripts.js"
import { makeRecorderOperations } from "./recorder.js"
import type { CommandOptions, HomeAssistantOptions } from "./options.js"
import { HomeAssistant, type SubscribeMessageOptions } from "./service.js"

export type { ConnectionState } from "../live/LiveSession.js"
export { HomeAssistant, type NumberedEvent, type ReadyCollection, type SubscribeMessageOptions } from "./service.js"
export type { CommandOptions, HomeAssistantOptions } from "./options.js"
export type { CollectionOptions } from "./collections.js"

/** The default reconnect schedule: 1 s, 2 s, 4 s ... jittered, never more than 30 s apart. */
export const defaultReconnectSchedule = LiveSession.defaultReconnectSchedule

/** Every way building the client can fail: the first connection must authenticate. */
export type HomeAssistantStartError = OpenError | InvalidUrl | InsecureConnection | InvalidOption

/** The token as a `Redacted` string; anything else (from untyped code, or a token source) is `InvalidOption`. */
const asToken = (token: unknown): Either.Either<Redacted.Redacted<string>, InvalidOption> =>
  typeof token === "string"
    ? Either.right(Redacted.make(token))
    : Redacted.isRedacted(token) && typeof Redacted.value(token) === "string"
    ? Either.right(token as Redacted.Redacted<string>)
    : Either.left(new InvalidOption({ option: "accessToken", reason: "expected a string, a Redacted string or an Effect yielding one" }))

/** Builds the client: the first connection authenticates before this succeeds; later losses reconnect. */
export const make = (options: HomeAssistantOptions) =>
  Effect.gen(function*() {
    const url = yield* websocketApiUrl(options.url)
    if (url.protocol === "ws:" && options.allowInsecure !== true && !isLoopbackHost(url.hostname)) {
      return yield* new InsecureConnection({ host: url.hostname })
    }
    const settings = {
      url: url.href,
      // A token given as it is is checked now, before anything connects; a token source's, at each connect.
      accessToken: Effect.isEffect(options.accessToken)
        ? Effect.flatMap(options.accessToken, asToken)
        : Effect.succeed(yield* asToken(options.accessToken)),
      authTimeout: yield* durationOr("authTimeout", options.authTimeout, Duration.seconds(10)),
      connectTimeout: yield* durationOr("connectTimeout", options.connectTimeout, Duration.seconds(10)),
      commandTimeout: yield* durationOr("commandTimeout", options.commandTimeout, Duration.seconds(30))
    }
    const heartbeat = options.heartbeat === false
      ? false as const
      : {
        interval: yield* durationOr("heartbeat.interval", options.heartbeat?.interval, Duration.seconds(30)),
        timeout: yield* durationOr("heartbeat.timeout", options.heartbeat?.timeout, Duration.seconds(10))
      }
    const gracePeriod = yield* durationOr("entitiesGracePeriod", options.entitiesGracePeriod, Duration.seconds(5))
    const live = yield* LiveSession.make(homeAssistantProtocol(settings.accessToken), {
      url: settings.url,
      reconnect: options.reconnect ?? LiveSession.defaultReconnectSchedule,
      requestTimeout: settings.commandTimeout,
      connectTimeout: settings.connectTimeout,
      handshakeTimeout: settings.authTimeout,
      keepAlive: heartbeat
    })
    const sendMessage = live.request as (message: CommandMessage, options?: CommandOptions) => Effect.Effect<unknown, CommandError>

    // A re-subscribe HA refuses while it starts waits until HA runs, then is sent once more (startup.ts).
    const afterStartup = retryAfterStartup({
      sendMessage: (message) => sendMessage(message),
      subscribeEvents: (eventType) => live.subscribe(subscribeEventsMessage(eventType)) as Stream.Stream<unknown, CommandError>
    })
    type Subscribable = CommandMessage | ((connection: { readonly haVersion: string }) => CommandMessage)
    // The refused command's type, for integration/wait (a caller's message function that throws: no type).
    const typeOn = (message: Subscribable, info: Option.Option<{ readonly haVersion: string }>): unknown => {
      if (typeof message !== "function") return message.type
      try {
        return Option.isSome(info) ? message(info.value).type : undefined
      } catch {
        return undefined
      }
    }
    const withRetry = (message: Subscribable, subscribeOptions?: SubscribeMessageOptions) => ({
      ...subscribeOptions,
      whenRefused: (refusal: unknown) =>
        Effect.flatMap(Effect.option(live.info), (info) => afterStartup(refusal, typeOn(message, info)))
    })
    const subscribeMessage = (message: Subscribable, subscribeOptions?: SubscribeMessageOptions) =>
      live.subscribe(message, withRetry(message, subscribeOptions)) as Stream.Stream<unknown, CommandError>
    const subscribeNumbered = (message: Subscribable) =>
      live.subscribeNumbered(message, withRetry(message)) as Stream.Stream<LiveSession.Attached<unknown>, CommandError>
    const reconnected = live.reconnected
    const entityStore = yield* makeEntityStore(
      (message) => subscribeNumbered(message) as Stream.Stream<SessionEvent, CommandError>,
      gracePeriod,
      {
        isLegacy: Effect.map(live.info, (info) => versionBefore(info.haVersion, 2022, 4)),
        getStates: sendMessage({ type: "get_states" }) as Effect.Effect<ReadonlyArray<HassEntity>, CommandError>,
        reconnected
      }
    )
    const collectionClient = {
      sendMessage: (message: CommandMessage) => sendMessage(message),
      haVersion: Effect.map(live.info, (info) => info.haVersion),
      subscribeEvents: (eventType: string) => subscribeMessage(subscribeEventsMessage(eventType)) as Stream.Stream<HassEvent, CommandError>,
      reconnected
    }
    const collections = yield* makeCollections(collectionClient, gracePeriod)
    const started = yield* makeStartedCount(
      (eventType) => subscribeMessage(subscribeEventsMessage(eventType)),
      gracePeriod
    )

    const ready = Effect.flatMap(
      Stream.runHead(Stream.filter(collections.config, (config) => config.state === "RUNNING")),
      (running) => Option.match(running, {
        onNone: () => Effect.fail(new Disconnected({ reason: "the config stream ended before Home Assistant ran" })),
        onSome: Effect.succeed
      })
    )

    return HomeAssistant.of({
      haVersion: Effect.map(live.info, (info) => info.haVersion),
      connectionState: live.state,
      connectionStates: live.states,
      sendMessage: sendMessage as (m: CommandMessage, o?: CommandOptions) => Effect.Effect<unknown, CommandError>,
      callService: ((domain: string, service: string, serviceData, target, callOptions) => {
        const call = sendMessage(callServiceMessage(domain, service, serviceData, target, callOptions?.returnResponse), callOptions)
        // HA answers a restart or stop by going away: the connection lost after the write is the call done.
        return serviceCallGoesAway(domain, service, serviceData, target)
          ? Effect.catchTag(call, "ConnectionLost", () => Effect.succeed({ wentAway: true } satisfies ServiceCallWentAway))
          : call
      }) as HomeAssistant["Type"]["callService"],
      getStates: (o) => sendMessage({ type: "get_states" }, o) as Effect.Effect<ReadonlyArray<HassEntity>, CommandError>,
      getConfig: (o) => sendMessage({ type: "get_config" }, o) as Effect.Effect<Readonly<Record<string, unknown>>, CommandError>,
      getServices: (o) => sendMessage({ type: "get_services" }, o) as Effect.Effect<Readonly<Record<string, unknown>>, CommandError>,
      ping: (o) =>
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          yield* sendMessage({ type: "ping" }, o)
          return Duration.millis((yield* Clock.currentTimeMillis) - start)
        }) as Effect.Effect<Duration.Duration, CommandError>,
      ...makeScriptOperations(sendMessage),
      ...makeRecorderOperations(
        sendMessage,
        subscribeNumbered
      ),
      ...makeVoiceOperations({ sendMessage, subscribeMessage, sendBinary: live.sendBinary, base: httpBaseOf(url) }),
      subscribeEvents: (eventType) =>
        subscribeMessage(subscribeEventsMessage(eventType)) as Stream.Stream<HassEvent, CommandError>,
      subscribeMessage,
      subscribeMessageNumbered: (message, subscribeOptions) =>
        live.subscribeNumbered(message, withRetry(message, subscribeOptions)) as Stream.Stream<LiveSession.Attached<unknown>, CommandError>,
      entities: entityStore.entities,
      currentEntities: entityStore.currentEntities,
      entity: entityStore.entity,
      entitiesWith: entityStore.entitiesWith,
      ...collections,
      collection: (collectionOptions) => makeCollection(collectionClient, collectionOptions, gracePeriod),
      ready,
      readyWith: (names) =>
        Effect.suspend(() => {
          const wanted: ReadonlyArray<unknown> = Array.isArray(names) ? names : []
          const streams: Record<string, Stream.Stream<unknown, CommandError | InvalidMessage>> = { ...collections, entities: entityStore.entities }
          const unknown = wanted.find((name) => typeof name !== "string" || !Object.hasOwn(streams, name))
          if (!Array.isArray(names) || unknown !== undefined) {
            return Effect.fail(new InvalidOption({
              option: "readyWith",
              reason: `expected an array of collection names (${Object.keys(streams).join(", ")})`
            }))
          }
          // Each loaded once (its first value), together with HA running.
          return Effect.zipRight(
            Effect.forEach(wanted as ReadonlyArray<string>, (name) => Stream.runHead(streams[name] as Stream.Stream<unknown, CommandError | InvalidMessage>), {
              concurrency: "unbounded",
              discard: true
            }),
            ready
          )
        }),
      renderTemplate: renderTemplate(subscribeMessage),
      subscribeTrigger: subscribeTrigger(subscribeMessage, started),
      suspend: live.suspend,
      resume: live.resume
    })
  })

/** The client over the context's `WebSocketClient`. Building it connects and authenticates once. */
export const layer = (
  options: HomeAssistantOptions
): Layer.Layer<HomeAssistant, HomeAssistantStartError, WebSocketClient> => Layer.scoped(HomeAssistant, make(options))
