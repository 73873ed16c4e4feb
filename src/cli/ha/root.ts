/** What every `ha` subcommand shares: the connection options (given after the subcommand) and the client. */
import { Command } from "@effect/cli"
import * as Effect from "effect/Effect"
import type { HomeAssistant } from "../../homeassistant/service.js"
import { type HaConfig, haLayer } from "./connection.js"

/** `ha`, before its subcommands are attached. */
export const ha = Command.make("ha")

/** Runs `body` on a client connected as `options` say; the connection closes when it ends. */
export const withHa = <A, E, R>(options: HaConfig, body: Effect.Effect<A, E, R | HomeAssistant>) =>
  Effect.provide(body, haLayer(options))
