#!/usr/bin/env node
/**
 * `effect-ws-gateway` (`npx effect-ws-gateway …`): `connect` and `request` for any WebSocket, `ha …` for Home
 * Assistant. Exit codes: 0 done, 1 a failure (one line on stderr, never a stack trace), 2 a usage error, 130 Ctrl-C
 * (every connection closed with a close frame first).
 */
import { createRequire } from "node:module"
import { Command, ValidationError } from "@effect/cli"
// The modules, not the barrel: the barrel re-exports all of undici (526 KB of CommonJS the CLI never uses, run at
// every start-up).
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { WebSocketClientLive } from "../index.js"
import { connect } from "./connect.js"
import { haCommand } from "./ha/index.js"
import { describe } from "./internal/failure.js"
import { danger, plainUnlessColour } from "./internal/output.js"
import { request } from "./request.js"

const { version } = createRequire(import.meta.url)("../../package.json") as { readonly version: string }

const root = Command.make("effect-ws-gateway").pipe(
  Command.withDescription("A WebSocket client on Effect: connect, request, and a console for Home Assistant."),
  Command.withSubcommands([connect, request, haCommand])
)

const fail = (message: string, code: number) =>
  Effect.sync(() => {
    process.stderr.write(`${danger("error:")} ${message}\n`)
    return code
  })

const program = Effect.flatMap(Effect.console, (console) =>
  Effect.withConsole(Command.run(root, { name: "effect-ws-gateway", version })(process.argv), plainUnlessColour(console))).pipe(
  Effect.as(0),
  Effect.catchAll((error): Effect.Effect<number> =>
    ValidationError.isValidationError(error)
      ? Effect.succeed(2) // @effect/cli has printed what was wrong
      : typeof error === "object" && error !== null && "_tag" in error && error._tag === "ExitWith"
      ? (error as { readonly message?: string }).message !== undefined && (error as { readonly message?: string }).message !== ""
        ? fail((error as unknown as { readonly message: string }).message, (error as unknown as { readonly code: number }).code)
        : Effect.succeed((error as unknown as { readonly code: number }).code)
      : fail(describe(error), 1)
  ),
  Effect.catchAllDefect((defect) => fail(`unexpected: ${describe(defect)}`, 1)),
  Effect.provide(Layer.merge(NodeContext.layer, WebSocketClientLive))
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(Exit.isSuccess(exit) ? Number(exit.value) : Cause.isInterruptedOnly(exit.cause) ? 130 : 1)
})
