/**
 * `ha history <entity> [--since 1h]`: the entity's states over the period (`history/history_during_period`), one line
 * each with when it took that state, oldest first; the first line is the state it had when the period began.
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { HomeAssistant } from "../../homeassistant/service.js"
import { ExitWith } from "../internal/failure.js"
import { dim } from "../internal/output.js"
import { haOptions } from "./connection.js"
import { withHa } from "./root.js"

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** The longest `--since`: 100 years, further back than any recorder keeps (a larger one is a usage error). */
const MAX_SINCE = 100 * 365 * UNITS.d!

/**
 * `30m`, `1h`, `2d` (also `s` and `w`, and decimals such as `1.5h`) in milliseconds, up to 100 years; `undefined`
 * for anything else.
 */
export const parseSince = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim())
  if (match === null) return undefined
  const millis = Number(match[1]) * UNITS[match[2]!]!
  return millis > 0 && millis <= MAX_SINCE ? millis : undefined
}

const entity = Args.text({ name: "entity" }).pipe(Args.withDescription("the entity id, such as sensor.outdoor_temperature"))
const since = Options.text("since").pipe(
  Options.withDescription("how far back: 30m, 1h, 2d (s, m, h, d, w); default 24h"),
  Options.withDefault("24h"),
  Options.mapTryCatch((text) => {
    const millis = parseSince(text)
    if (millis === undefined) throw new Error(text)
    return { text, millis }
  }, () => HelpDoc.p("--since is a duration such as 30m, 1h or 2d (at most 100 years)"))
)

/** The `ha history` command. */
export const history = Command.make("history", { ...haOptions, entity, since }, (config) =>
  withHa(config, Effect.gen(function*() {
    const client = yield* HomeAssistant
    const start = new Date((yield* Clock.currentTimeMillis) - config.since.millis)
    const found = yield* client.historyDuringPeriod({
      start,
      entityIds: [config.entity],
      minimalResponse: true,
      noAttributes: true
    })
    const states = found[config.entity] ?? []
    if (states.length === 0) {
      return yield* new ExitWith({ code: 1, message: `no recorded states of ${config.entity} in the last ${config.since.text}` })
    }
    for (const state of states) {
      yield* Console.log(`${dim(new Date((state.lc ?? state.lu) * 1000).toISOString())}  ${state.s}`)
    }
  }))
).pipe(Command.withDescription("Print an entity's states over a period (--since 1h), one per line with its time."))
