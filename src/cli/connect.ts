/**
 * `connect <url>`: a wscat on this library. Each line typed is sent (JSON if it parses, else text); every inbound
 * message is printed as it arrives. With stdin not a terminal: send every line, and once stdin ends and `--wait`
 * passed with nothing more arriving, close with 1000. The close code and reason go to stderr; exit 0 for a normal
 * closure (1000), 1 otherwise, 130 on Ctrl-C (after the close frame).
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { WebSocketClient } from "../core/WebSocketClient.js"
import { durationOption } from "./internal/duration.js"
import { ExitWith } from "./internal/failure.js"
import { stdinLines } from "./internal/lines.js"
import { dim, formatMessage, parseLine } from "./internal/output.js"

const url = Args.text({ name: "url" }).pipe(Args.withDescription("ws:// or wss:// address"))
const headers = Options.text("header").pipe(
  Options.withAlias("H"),
  Options.withDescription("a request header, 'Name: value' (repeatable)"),
  Options.repeated,
  Options.mapTryCatch((values) =>
    Object.fromEntries(values.map((value) => {
      const colon = value.indexOf(":")
      if (colon <= 0) throw new Error(`a header is 'Name: value', got '${value}'`)
      return [value.slice(0, colon).trim(), value.slice(colon + 1).trim()]
    })), (error) => HelpDoc.p(error instanceof Error ? error.message : String(error)))
)
const subprotocol = Options.text("subprotocol").pipe(Options.withDescription("a subprotocol to offer (repeatable)"), Options.repeated)
const insecure = Options.boolean("insecure").pipe(Options.withDescription("accept a TLS certificate that does not verify"))
const raw = Options.boolean("raw").pipe(Options.withDescription("print each message on one line"))
const timeout = durationOption("timeout", "bound on opening the connection", "10 seconds")
const wait = durationOption("wait", "with piped input: how long to wait for replies after stdin ends", "1 second")

interface Ending {
  readonly code: number
  readonly reason: string
}

/** The `connect` command. */
export const connect = Command.make(
  "connect",
  { url, headers, subprotocol, insecure, raw, timeout, wait },
  (config) =>
    Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({
        url: config.url,
        headers: config.headers,
        timeout: config.timeout,
        ...(config.subprotocol.length === 0 ? {} : { protocols: config.subprotocol }),
        ...(config.insecure ? { tls: { rejectUnauthorized: false } } : {})
      })
      yield* Effect.sync(() => process.stderr.write(`${dim(`connected to ${connection.url}${connection.protocol === "" ? "" : ` (${connection.protocol})`}`)}\n`))
      const input = yield* stdinLines
      const ended = yield* Deferred.make<Ending>()
      let lastMessage = yield* Clock.currentTimeMillis
      yield* Effect.forkScoped(connection.messages.pipe(
        Stream.runForEach((message) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.sync(() => {
              lastMessage = now
              input.print(formatMessage(message, config.raw))
            }))
        ),
        Effect.catchAll((error) =>
          Deferred.succeed(ended, error._tag === "ConnectionClosed" ? { code: error.code, reason: error.reason } : { code: 1006, reason: error.message })
        )
      ))
      const quiet = Effect.gen(function*() {
        // Stdin ended: wait until `wait` passed with no message, then close normally.
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const left = lastMessage + Duration.toMillis(config.wait) - now
          if (left <= 0) return
          yield* Effect.sleep(Duration.millis(left))
        }
      })
      yield* Effect.forkScoped(input.lines.pipe(
        Stream.runForEach((line) =>
          line.trim() === "" ? Effect.void : client.send(connection, parseLine(line)).pipe(
            Effect.catchAll((error) => Effect.sync(() => input.print(`error: ${error.message}`)))
          )
        ),
        Effect.zipRight(input.interactive ? Effect.void : quiet),
        Effect.zipRight(Effect.ignore(client.close(connection, { code: 1000 }))),
        Effect.zipRight(Deferred.succeed(ended, { code: 1000, reason: "" }))
      ))
      const { code, reason } = yield* Deferred.await(ended).pipe(
        Effect.onInterrupt(() => Effect.sync(() => process.stderr.write(`${input.interactive ? "\n" : ""}closed 1000 (interrupted)\n`)))
      )
      yield* Effect.sync(() => process.stderr.write(`closed ${code}${reason === "" ? "" : ` ${reason}`}\n`))
      if (code !== 1000) return yield* new ExitWith({ code: 1 })
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Open a WebSocket: send each line of stdin, print every message that arrives."))
