/** `ha ping` (the round trip) and `ha info` (version, location, time zone, components and entities). */
import { Command } from "@effect/cli"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { HomeAssistant } from "../../homeassistant/service.js"
import { haOptions } from "./connection.js"
import { withHa } from "./root.js"

/** The `ha ping` command. */
export const ping = Command.make("ping", haOptions, (config) =>
  withHa(config, Effect.flatMap(HomeAssistant, (client) =>
    Effect.flatMap(client.ping(), (rtt) => Console.log(`pong in ${Duration.toMillis(rtt).toFixed(0)} ms`))))
).pipe(Command.withDescription("Send a ping, print the round trip."))

/** The `ha info` command. */
export const info = Command.make("info", haOptions, (config) =>
  withHa(config, Effect.gen(function*() {
    const client = yield* HomeAssistant
    const [config, states] = yield* Effect.all([client.getConfig(), client.getStates()])
    const components = Array.isArray(config.components) ? config.components.length : 0
    const rows: ReadonlyArray<readonly [string, unknown]> = [
      ["version", yield* client.haVersion],
      ["location", config.location_name],
      ["time zone", config.time_zone],
      ["state", config.state],
      ["components", components],
      ["entities", states.length]
    ]
    yield* Effect.forEach(rows, ([label, value]) => Console.log(`${label.padEnd(12)}${String(value ?? "—")}`))
  }))
).pipe(Command.withDescription("Print the version, location, components and entity count."))
