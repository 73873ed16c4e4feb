/**
 * `ha watch [event_type]`: a live tail of events, one line each. `ha watch --entities <pattern>`: a live table of the
 * matching entities from the entity store, redrawn in place on a terminal, one line per change otherwise.
 * Runs until Ctrl-C, which closes the connection with a close frame.
 */
import { Args, Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { HassEntities } from "../../homeassistant/compressedState.js"
import { HomeAssistant } from "../../homeassistant/service.js"
import { accent, dim, matcher, table } from "../internal/output.js"
import { haOptions } from "./connection.js"
import { withHa } from "./root.js"

const eventType = Args.text({ name: "event_type" }).pipe(Args.withDescription("only events of this type (default: all)"), Args.optional)
const entities = Options.text("entities").pipe(
  Options.withDescription("watch the entities matching this glob or text instead of events"),
  Options.optional
)

const tail = (type: Option.Option<string>) =>
  Effect.flatMap(HomeAssistant, (client) =>
    client.subscribeEvents(Option.getOrUndefined(type)).pipe(Stream.runForEach((event) =>
      Console.log(`${dim(event.time_fired)}  ${accent(event.event_type)}  ${summary(event.event_type, event.data)}`)
    )))

// A state change as `entity old → new`; any other event's data as one line of JSON.
const summary = (type: string, data: Readonly<Record<string, unknown>>) => {
  if (type !== "state_changed") return JSON.stringify(data)
  const { entity_id, old_state, new_state } = data as {
    readonly entity_id?: string
    readonly old_state?: { readonly state?: string } | null
    readonly new_state?: { readonly state?: string } | null
  }
  return `${entity_id ?? "?"}  ${old_state?.state ?? "—"} → ${new_state?.state ?? "—"}`
}

const render = (all: HassEntities, matches: (id: string) => boolean) =>
  table(
    ["entity", "state", "last changed"],
    Object.values(all).filter((state) => matches(state.entity_id)).sort((a, b) => a.entity_id.localeCompare(b.entity_id))
      .map((state) => [state.entity_id, state.state, state.last_changed])
  )

const live = (pattern: string) =>
  Effect.flatMap(HomeAssistant, (client) => {
    const matches = matcher(pattern)
    const terminal = process.stdout.isTTY === true
    let drawn = 0
    let previous: HassEntities = {}
    return client.entities.pipe(Stream.runForEach((all) =>
      Effect.sync(() => {
        if (terminal) {
          // Move up over the last table, clear to the end, draw the new one.
          const text = render(all, matches)
          process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}\x1b[J${text}\n`)
          drawn = text.split("\n").length
        } else if (drawn === 0) {
          process.stdout.write(`${render(all, matches)}\n`)
          drawn = 1
        } else {
          for (const [id, state] of Object.entries(all)) {
            if (matches(id) && previous[id] !== state) process.stdout.write(`${id}  ${previous[id]?.state ?? "—"} → ${state.state}\n`)
          }
          for (const id of Object.keys(previous)) if (matches(id) && all[id] === undefined) process.stdout.write(`${id}  removed\n`)
        }
        previous = all
      })
    ))
  })

/** The `ha watch` command. */
export const watch = Command.make("watch", { ...haOptions, eventType, entities }, (config) =>
  withHa(config, Option.match(config.entities, { onNone: () => tail(config.eventType), onSome: live }))
).pipe(Command.withDescription("Tail events live, or with --entities a live table of entities."))
