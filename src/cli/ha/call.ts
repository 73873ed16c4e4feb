/**
 * `ha call <domain.service>`: calls a service (`--entity` targets, `--data` JSON or `key=value` pairs, values read as
 * JSON when they parse) and prints its result; with `--watch`, also the state changes the call caused (the events
 * that carry its context), until a second passes without one.
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { HassEntity } from "../../homeassistant/messages.js"
import { HomeAssistant } from "../../homeassistant/service.js"
import { ExitWith } from "../internal/failure.js"
import { accent, dim } from "../internal/output.js"
import { haOptions } from "./connection.js"
import { withHa } from "./root.js"

const service = Args.text({ name: "domain.service" }).pipe(Args.withDescription("the service, such as light.turn_on"))
const pairs = Args.text({ name: "key=value" }).pipe(Args.withDescription("service data fields; values are JSON when they parse"), Args.repeated)
const entity = Options.text("entity").pipe(Options.withDescription("a target entity id (repeatable)"), Options.repeated)
const data = Options.text("data").pipe(
  Options.withDescription("service data as a JSON object"),
  Options.optional,
  Options.mapTryCatch((text) => Option.map(text, (json) => {
    const parsed: unknown = JSON.parse(json)
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object")
    return parsed as Record<string, unknown>
  }), (error) => HelpDoc.p(`--data is not a JSON object: ${error instanceof Error ? error.message : String(error)}`))
)
const watch = Options.boolean("watch").pipe(Options.withDescription("also print the state changes the call caused"))

const value = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const fields = (list: ReadonlyArray<string>) =>
  Effect.forEach(list, (pair) => {
    const equals = pair.indexOf("=")
    return equals <= 0
      ? Effect.fail(new ExitWith({ code: 2, message: `service data is key=value, got '${pair}'` }))
      : Effect.succeed([pair.slice(0, equals), value(pair.slice(equals + 1))] as const)
  }).pipe(Effect.map(Object.fromEntries))

interface StateChanged {
  readonly entity_id?: string
  readonly old_state?: HassEntity | null
  readonly new_state?: HassEntity | null
}

/** The `ha call` command. */
export const call = Command.make("call", { ...haOptions, service, pairs, entity, data, watch }, (config) =>
  withHa(config, Effect.gen(function*() {
    const client = yield* HomeAssistant
    const dot = config.service.indexOf(".")
    if (dot <= 0 || dot === config.service.length - 1) {
      return yield* new ExitWith({ code: 2, message: `a service is domain.service, got '${config.service}'` })
    }
    const serviceData = { ...Option.getOrElse(config.data, () => ({})), ...(yield* fields(config.pairs)) }
    const changes: Array<{ readonly at: number; readonly context: string | undefined; readonly data: StateChanged }> = []
    if (config.watch) {
      // Subscribed before the call, so no change it causes is missed.
      yield* Effect.forkScoped(client.subscribeEvents("state_changed").pipe(Stream.runForEach((event) =>
        Effect.flatMap(Clock.currentTimeMillis, (at) =>
          Effect.sync(() => changes.push({ at, context: event.context?.id, data: event.data as StateChanged })))
      )))
      yield* Effect.sleep("50 millis")
    }
    const result = yield* client.callService(
      config.service.slice(0, dot),
      config.service.slice(dot + 1),
      serviceData,
      config.entity.length === 0 ? undefined : { entity_id: config.entity }
    )
    yield* Console.log(JSON.stringify(result, null, 2))
    // A restart or stop answered by HA going away has no context, and caused no changes to watch.
    if (!config.watch || !("context" in result)) return
    const context = result.context.id
    let printed = 0
    let quietSince = yield* Clock.currentTimeMillis
    while ((yield* Clock.currentTimeMillis) - quietSince < 1000) {
      for (const change of changes.slice(printed)) {
        printed++
        if (change.context !== context) continue
        quietSince = change.at
        const { entity_id, old_state, new_state } = change.data
        yield* Console.log(`${accent(entity_id ?? "?")}  ${old_state?.state ?? "—"} ${dim("→")} ${new_state?.state ?? "—"}`)
      }
      yield* Effect.sleep(Duration.millis(50))
    }
  }).pipe(Effect.scoped))
).pipe(Command.withDescription("Call a service, print its result (and with --watch the changes it caused)."))
