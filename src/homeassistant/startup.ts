/**
 * Subscriptions that survive a Home Assistant restart. While HA starts, the WebSocket API is up before the
 * integrations: a re-subscribe to an integration's command (`history/stream`, `logbook/event_stream`,
 * `assist_pipeline/...`) is answered `unknown_command`, or `not_found`, until that integration is set up. HAWS ends
 * such a subscription for good (HAWS #272); here it waits until HA runs, then subscribes once more.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { CommandError } from "./errors.js"
import type { CommandMessage } from "./messages.js"

/** The error codes HA answers a command with while the integration that registers it is not set up yet. */
const STARTUP_REFUSALS: ReadonlySet<string> = new Set(["unknown_command", "not_found"])

/** How long to wait for `homeassistant_started` before asking `get_config` again (the event may come between). */
export const STARTED_RECHECK = Duration.seconds(5)

/** What the wait needs of the client. */
export interface StartupClient {
  readonly sendMessage: (message: CommandMessage) => Effect.Effect<unknown, CommandError>
  readonly subscribeEvents: (eventType: string) => Stream.Stream<unknown, CommandError>
}

const isStartupRefusal = (refusal: unknown): boolean => {
  const error = refusal as { readonly _tag?: unknown; readonly code?: unknown }
  return error?._tag === "HomeAssistantError" && typeof error.code === "string" && STARTUP_REFUSALS.has(error.code)
}

/** `get_config`'s `state` is `RUNNING` (or absent: releases before it had one were running once they answered). */
const isRunning = (config: unknown): boolean => {
  const state = (config as { readonly state?: unknown } | null)?.state
  return state === undefined || state === "RUNNING"
}

/**
 * The `whenRefused` of a Home Assistant subscription: a start-up refusal waits until HA runs (`get_config` says
 * `RUNNING`, checked again on each `homeassistant_started` and every 5 s), then — for an integration's command
 * (`domain/...`) — until `integration/wait` says the integration is set up (where HA has that command). `true`:
 * subscribe once more; `false`: any other refusal, an integration HA says it will not set up, or a failed wait.
 */
export const retryAfterStartup = (client: StartupClient) => (refusal: unknown, command: unknown): Effect.Effect<boolean> => {
  if (!isStartupRefusal(refusal)) return Effect.succeed(false)
  const untilRunning: Effect.Effect<void, CommandError> = Effect.flatMap(
    client.sendMessage({ type: "get_config" }),
    (config) =>
      isRunning(config) ? Effect.void : Effect.zipRight(
        Effect.race(Stream.runDrain(Stream.take(client.subscribeEvents("homeassistant_started"), 1)), Effect.sleep(STARTED_RECHECK)),
        Effect.suspend(() => untilRunning)
      )
  )
  const slash = typeof command === "string" ? command.indexOf("/") : -1
  const domain = typeof command === "string" && slash > 0 ? command.slice(0, slash) : undefined
  const integrationLoaded: Effect.Effect<boolean> = domain === undefined ? Effect.succeed(true) : client.sendMessage({
    type: "integration/wait",
    domain
  }).pipe(
    Effect.map((answer) => (answer as { readonly integration_loaded?: unknown } | null)?.integration_loaded !== false),
    // A release without `integration/wait` (unknown_command), or any other failure of it: try the command again.
    Effect.orElseSucceed(() => true)
  )
  return untilRunning.pipe(Effect.zipRight(integrationLoaded), Effect.orElseSucceed(() => false))
}
