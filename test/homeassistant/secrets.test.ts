import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Stream } from "effect"
import { HomeAssistantLayer, WebSocketClientLive } from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { connect, eventually, reachState, reconnected, TOKEN } from "./kit.js"

const WRONG = "wrong-secret-4b1d"

describe("the access token stays secret", () => {
  it.scoped("no log line, error message or printed error holds the token, across success and failure", () => {
    const lines: Array<string> = []
    const capture = Logger.make(({ annotations, message }) => {
      lines.push(JSON.stringify({ message, annotations: [...annotations] }))
    })
    return Effect.gen(function*() {
      const printed: Array<string> = []
      const remember = (exit: Exit.Exit<unknown, unknown>) => {
        if (Exit.isFailure(exit)) {
          printed.push(Cause.pretty(exit.cause))
          const error = Cause.squash(exit.cause)
          printed.push(String(error), JSON.stringify(error), (error as Error).message ?? "")
        }
      }
      const { ha, sim } = yield* connect()
      remember(yield* Effect.exit(ha.callService("light", "fly")))
      remember(yield* Effect.exit(ha.sendMessage({ type: "nonsense" })))
      remember(yield* Effect.exit(Stream.runDrain(ha.subscribeMessage({ type: "subscribe_nothing" }))))
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      const other = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      remember(yield* Effect.exit(Layer.build(
        HomeAssistantLayer({ url: other.httpUrl, accessToken: WRONG }).pipe(Layer.provide(WebSocketClientLive))
      )))
      yield* sim.setAccessToken("rotated")
      yield* sim.dropAll
      yield* reachState(ha, "closed")
      remember(yield* Effect.exit(ha.getStates()))
      yield* eventually(() => printed.length >= 5 * 4, "every failure recorded")
      const everything = [...lines, ...printed].join("\n")
      expect(printed.length).toBeGreaterThanOrEqual(20)
      expect(everything).not.toContain(TOKEN)
      expect(everything).not.toContain(WRONG)
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)), Logger.withMinimumLogLevel(LogLevel.All))
  })
})
