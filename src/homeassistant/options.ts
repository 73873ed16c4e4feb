/**
 * Options of the Home Assistant client and of its commands.
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type { AuthInvalid, TokenUnavailable } from "./errors.js"

/**
 * An access token that is fetched, not fixed: run before every connect and reconnect (a token store, an OAuth
 * refresh). `AuthInvalid` stops the client; `TokenUnavailable` is retried on the reconnect schedule.
 */
export type AccessTokenSource = Effect.Effect<Redacted.Redacted<string> | string, AuthInvalid | TokenUnavailable>

/** Options of the Home Assistant client. Only `url` and `accessToken` are required. */
export interface HomeAssistantOptions {
  /** `http(s)://host:8123` or `ws(s)://host:8123/api/websocket`. */
  readonly url: string
  /** A long-lived access token, or an Effect that yields one before every (re)connect. Never logged, never in an error. */
  readonly accessToken: Redacted.Redacted<string> | string | AccessTokenSource
  /** Allow sending the token over plain `ws://` to a host that is not this machine. Default `false`. */
  readonly allowInsecure?: boolean
  /** Default bound of every command. Default 30 seconds. */
  readonly commandTimeout?: Duration.DurationInput
  /** Bound on `auth_required` + `auth` → `auth_ok`. Default 10 seconds. */
  readonly authTimeout?: Duration.DurationInput
  /** Bound on opening the socket. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput
  /** A `ping` every `interval`; no `pong` within `timeout` means the connection is lost. Default 30 s / 10 s. */
  readonly heartbeat?: { readonly interval: Duration.DurationInput; readonly timeout: Duration.DurationInput } | false
  /** When to retry after a lost connection. Default: exponential from 1 s, jittered, capped at 30 s. */
  readonly reconnect?: Schedule.Schedule<unknown, unknown> | false
  /** How long a shared live value (`entities`, `config`...) outlives its last consumer (HAWS: 5 s). Default 5 s. */
  readonly entitiesGracePeriod?: Duration.DurationInput
}

/** Per-call options of a command. */
export interface CommandOptions {
  readonly timeout?: Duration.DurationInput
}
