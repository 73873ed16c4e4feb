/**
 * OAuth access tokens from a refresh token (`POST /auth/token`, `grant_type=refresh_token`) over @effect/platform's
 * `HttpClient`: cached, renewed ahead of `expires_in` on the Effect clock, and pluggable as `accessToken`.
 * Only HTTP 400 / 403 mean the refresh token is no good (`AuthInvalid`, final); anything else — HA unreachable,
 * a 5xx, a timeout, a garbled body — is `TokenUnavailable`, which the client retries (HAWS #36 logged users out).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { AuthInvalid, InsecureConnection, TokenUnavailable } from "./errors.js"
import type { AccessTokenSource } from "./options.js"
import { isLoopbackHost } from "./url.js"
import { durationOr } from "../core/duration.js"
import { type InvalidOption, InvalidUrl } from "../core/errors.js"
import { parseUrl } from "../core/url.js"

/** Options of `oauthRefresh`. */
export interface OAuthRefreshOptions {
  /** `http(s)://host:8123`, where HA serves `/auth/token`. */
  readonly hassUrl: string
  /** The OAuth client id the refresh token was issued to (for HA, the app's URL). */
  readonly clientId: string
  /** The refresh token. Never logged, never in an error or span. */
  readonly refreshToken: Redacted.Redacted<string> | string
  /** Renew this long before the access token expires. Default 60 seconds (at most half its lifetime). */
  readonly renewBefore?: Duration.DurationInput
  /** Bound on one token request. Default 10 seconds. */
  readonly requestTimeout?: Duration.DurationInput
  /** Allow the refresh token over plain `http://` to a host that is not this machine. Default `false`. */
  readonly allowInsecure?: boolean
}

/** A refreshing OAuth token source. */
export interface OAuthTokens {
  /**
   * The current access token, fetched anew when none is held or it is within `renewBefore` of expiring; concurrent
   * callers share one request. Once HA rejected the refresh token every call fails with that `AuthInvalid`.
   */
  readonly accessToken: AccessTokenSource
  /** When the held access token expires (epoch milliseconds on the Effect clock), if one is held. */
  readonly expiresAt: Effect.Effect<Option.Option<number>>
}

const TokenResponse = Schema.Struct({ access_token: Schema.String, expires_in: Schema.Number, token_type: Schema.String })

interface Held {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
  readonly renewAt: number
}

const tokenUrl = (hassUrl: string, allowInsecure: boolean): Either.Either<string, InvalidUrl | InsecureConnection> => {
  const parsed = parseUrl(hassUrl, "the Home Assistant URL")
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const url = parsed.right
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(new InvalidUrl({ reason: `expected http(s)://, got ${url.protocol}` }))
  }
  if (url.protocol === "http:" && !allowInsecure && !isLoopbackHost(url.hostname)) {
    return Either.left(new InsecureConnection({ host: url.hostname }))
  }
  return Either.right(`${url.origin}${url.pathname.replace(/\/+$/, "")}/auth/token`)
}

/**
 * A token source for `accessToken` that refreshes OAuth access tokens with `refreshToken`. Fails at once, before
 * any request, on a URL that is not `http(s)://` or that would carry the refresh token unencrypted off this machine,
 * or on a duration option out of range (`InvalidOption`).
 */
export const oauthRefresh = (
  options: OAuthRefreshOptions
): Effect.Effect<OAuthTokens, InvalidUrl | InsecureConnection | InvalidOption, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const url = yield* tokenUrl(options.hassUrl, options.allowInsecure === true)
    const client = yield* HttpClient.HttpClient
    const refreshToken = typeof options.refreshToken === "string" ? Redacted.make(options.refreshToken) : options.refreshToken
    const renewBefore = Duration.toMillis(yield* durationOr("renewBefore", options.renewBefore, Duration.seconds(60)))
    const timeout = yield* durationOr("requestTimeout", options.requestTimeout, Duration.seconds(10))
    const lock = yield* Effect.makeSemaphore(1)
    let held: Held | undefined
    let rejected: AuthInvalid | undefined

    const request = Effect.gen(function*() {
      const response = yield* client.execute(
        HttpClientRequest.post(url).pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.bodyUrlParams({
            grant_type: "refresh_token",
            client_id: options.clientId,
            refresh_token: Redacted.value(refreshToken)
          })
        )
      ).pipe(
        Effect.timeoutFail({ duration: timeout, onTimeout: () => new TokenUnavailable({ reason: "/auth/token did not answer in time" }) }),
        Effect.catchTag("RequestError", (e) => new TokenUnavailable({ reason: `/auth/token unreachable (${e.reason})` }))
      )
      if (response.status === 400 || response.status === 403) {
        rejected = new AuthInvalid({ reason: `Home Assistant rejected the refresh token (HTTP ${response.status})` })
        return yield* rejected
      }
      if (response.status !== 200) return yield* new TokenUnavailable({ reason: `/auth/token answered HTTP ${response.status}` })
      const body = yield* response.json.pipe(
        Effect.flatMap(Schema.decodeUnknown(TokenResponse)),
        Effect.mapError(() => new TokenUnavailable({ reason: "/auth/token answered with an unexpected body" }))
      )
      const now = yield* Clock.currentTimeMillis
      const lifetime = body.expires_in * 1000
      held = { token: Redacted.make(body.access_token), expiresAt: now + lifetime, renewAt: now + lifetime - Math.min(renewBefore, lifetime / 2) }
      return held.token
    }).pipe(Effect.catchTag("ResponseError", () => new TokenUnavailable({ reason: "/auth/token answered with an unreadable body" })))

    const accessToken = lock.withPermits(1)(Effect.suspend(() => {
      if (rejected !== undefined) return Effect.fail(rejected)
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        held !== undefined && now < held.renewAt ? Effect.succeed(held.token) : request)
    }))
    return { accessToken, expiresAt: Effect.sync(() => Option.fromNullable(held?.expiresAt)) }
  })
