/** `request <url> <message>`: one request — connect, send, the first reply, close — printed; exit 0, or 1 with the error. */
import { Args, Command, Options } from "@effect/cli"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { WebSocketClient } from "../core/WebSocketClient.js"
import { durationOption } from "./internal/duration.js"
import { formatMessage, parseLine } from "./internal/output.js"

const url = Args.text({ name: "url" }).pipe(Args.withDescription("ws:// or wss:// address"))
const message = Args.text({ name: "message" }).pipe(Args.withDescription("sent as JSON if it parses as an object or array, else as text"))
const timeout = durationOption("timeout", "bound on connect, send and the reply together", "10 seconds")
const raw = Options.boolean("raw").pipe(Options.withDescription("print the reply on one line"))

/** The `request` command. */
export const request = Command.make("request", { url, message, timeout, raw }, (config) =>
  Effect.gen(function*() {
    const client = yield* WebSocketClient
    const reply = yield* client.request({
      url: config.url,
      message: parseLine(config.message),
      timeout: config.timeout
    })
    yield* Console.log(formatMessage(reply, config.raw))
  })).pipe(Command.withDescription("Send one message, print the first reply, close."))
