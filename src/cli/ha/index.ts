/** The `ha` command and its subcommands: states, call, watch, history, ping, info, assist. */
import { Command } from "@effect/cli"
import { assist } from "./assist.js"
import { call } from "./call.js"
import { history } from "./history.js"
import { info, ping } from "./info.js"
import { ha } from "./root.js"
import { states } from "./states.js"
import { watch } from "./watch.js"

/** `ha …`: Home Assistant from the command line, like home-assistant-cli. */
export const haCommand = ha.pipe(
  Command.withDescription("Home Assistant: states, service calls, live events and entities."),
  Command.withSubcommands([states, call, watch, history, ping, info, assist])
)
