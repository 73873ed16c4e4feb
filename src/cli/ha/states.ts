/** `ha states [pattern]`: every matching entity, its state and when it last changed; `--json` for the states as JSON. */
import { Args, Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HomeAssistant } from "../../homeassistant/service.js"
import { matcher, table } from "../internal/output.js"
import { haOptions } from "./connection.js"
import { withHa } from "./root.js"

const pattern = Args.text({ name: "pattern" }).pipe(
  Args.withDescription("a glob such as 'light.*', or any part of an entity id"),
  Args.optional
)
const json = Options.boolean("json").pipe(Options.withDescription("print the matching states as JSON"))

/** The `ha states` command. */
export const states = Command.make("states", { ...haOptions, pattern, json }, (config) =>
  withHa(config, Effect.gen(function*() {
    const client = yield* HomeAssistant
    const matches = matcher(Option.getOrUndefined(config.pattern))
    const found = (yield* client.getStates()).filter((state) => matches(state.entity_id))
      .sort((a, b) => a.entity_id.localeCompare(b.entity_id))
    if (config.json) return yield* Console.log(JSON.stringify(found, null, 2))
    yield* Console.log(table(
      ["entity", "state", "last changed"],
      found.map((state) => [state.entity_id, state.state, state.last_changed])
    ))
  }))
).pipe(Command.withDescription("List entities and their states."))
