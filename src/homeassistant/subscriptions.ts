/**
 * Typed subscriptions over `subscribeMessage`: `render_template` and `subscribe_trigger`, their events decoded at the
 * edge. A template that HA cannot render is a typed `TemplateError`, never a crash or an `unknown`.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { InvalidMessage } from "../core/errors.js"
import { type CommandError, TemplateError } from "./errors.js"
import { sharedLive } from "./internal/live.js"
import type { CommandMessage, HassContext } from "./messages.js"
import { checkArgument, decodeEvent } from "./schemas.js"

const extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const RenderEvent = Schema.Union(
  Schema.Struct({
    result: Schema.Unknown,
    listeners: Schema.Struct({
      all: Schema.Boolean,
      domains: Schema.Array(Schema.String),
      entities: Schema.Array(Schema.String),
      time: Schema.Boolean
    }, extra)
  }),
  Schema.Struct({ error: Schema.String, level: Schema.optional(Schema.String) })
)

/** One rendering of a template, and what HA listens to for the next. */
export interface TemplateRendering {
  readonly result: unknown
  readonly listeners: {
    readonly all: boolean
    readonly domains: ReadonlyArray<string>
    readonly entities: ReadonlyArray<string>
    readonly time: boolean
  }
}

/** Options of `renderTemplate`. */
export interface RenderTemplateOptions {
  readonly variables?: Readonly<Record<string, unknown>>
  readonly entityIds?: ReadonlyArray<string>
  /** Seconds HA may spend rendering. */
  readonly timeout?: number
}

const TriggerEvent = Schema.Struct({
  variables: extra,
  context: Schema.optional(Schema.Struct({ id: Schema.String, parent_id: Schema.NullOr(Schema.String), user_id: Schema.NullOr(Schema.String) }))
})

/** One firing of a trigger: its variables (`trigger` holds what fired) and the context. */
export interface TriggerFiring {
  readonly variables: Readonly<Record<string, unknown>>
  readonly context?: HassContext | undefined
}

type Subscribe = (message: CommandMessage) => Stream.Stream<unknown, CommandError>

const checkRenderTemplate = checkArgument(
  Schema.Tuple(
    Schema.String,
    Schema.Struct({
      variables: Schema.optional(extra),
      entityIds: Schema.optional(Schema.Array(Schema.String)),
      timeout: Schema.optional(Schema.Number)
    })
  ),
  "renderTemplate"
)

/** `render_template`: every rendering of `template`, again whenever what it reads changes. */
export const renderTemplate = (subscribe: Subscribe) =>
(
  template: string,
  options: RenderTemplateOptions = {}
): Stream.Stream<TemplateRendering, CommandError | TemplateError | InvalidMessage> => {
  const checked = checkRenderTemplate([template, options])
  if (Either.isLeft(checked)) return Stream.fail(checked.left)
  const [text, { entityIds, timeout, variables }] = checked.right
  return subscribe({
    type: "render_template",
    template: text,
    report_errors: true,
    ...(variables === undefined ? {} : { variables }),
    ...(entityIds === undefined ? {} : { entity_ids: [...entityIds] }),
    ...(timeout === undefined ? {} : { timeout })
  }).pipe(
    Stream.mapEffect(decodeEvent(RenderEvent, "render_template")),
    Stream.mapEffect((event) =>
      "error" in event ? Effect.fail(new TemplateError({ reason: event.error })) : Effect.succeed(event as TemplateRendering)
    )
  )
}

/**
 * How many times HA has fired `homeassistant_started` since the first consumer: shared, one `subscribe_events`.
 * A trigger subscribed while HA was still starting is accepted and then never fires (HAWS #555), so trigger
 * subscriptions are made again each time this moves.
 */
export const makeStartedCount = (
  subscribeEvents: (eventType: string) => Stream.Stream<unknown, CommandError>,
  gracePeriod: Duration.DurationInput
): Effect.Effect<Stream.Stream<number, CommandError>, never, Scope.Scope> =>
  sharedLive<number, CommandError>(({ fail, publish }) =>
    Effect.zipRight(
      publish(0),
      subscribeEvents("homeassistant_started").pipe(
        Stream.runFoldEffect(0, (count) => Effect.as(publish(count + 1), count + 1)),
        Effect.catchAll(fail)
      )
    ), gracePeriod)

/**
 * `subscribe_trigger`: every firing of `trigger` (any automation trigger, such as `{ platform: "state", ... }`),
 * re-subscribed after every reconnect and again once a starting HA runs (`homeassistant_started`).
 */
export const subscribeTrigger = (subscribe: Subscribe, started: Stream.Stream<number, CommandError>) =>
(
  trigger: Readonly<Record<string, unknown>> | ReadonlyArray<Readonly<Record<string, unknown>>>,
  variables?: Readonly<Record<string, unknown>>
): Stream.Stream<TriggerFiring, CommandError | InvalidMessage> =>
  started.pipe(
    Stream.changes,
    Stream.flatMap(() => subscribe({ type: "subscribe_trigger", trigger, ...(variables === undefined ? {} : { variables }) }), { switch: true }),
    Stream.mapEffect(decodeEvent(TriggerEvent, "subscribe_trigger"))
  )
