// OAuth refresh against the simulator's /auth/token over real loopback HTTP; expiry on the TestClock.
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Logger, LogLevel, Option, Schedule, TestClock } from "effect"
import {
  AuthInvalid,
  HomeAssistant,
  HomeAssistantLayer,
  type HomeAssistantOptions,
  InsecureConnection,
  InvalidOption,
  InvalidUrl,
  oauthRefresh,
  type OAuthRefreshOptions,
  TokenUnavailable,
  WebSocketClientLive
} from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { recordingTracer } from "../core/kit.js"
import { eventually, reachState, reconnected } from "./kit.js"

const REFRESH = "refresh-9c2e-never-print"
const CLIENT = "https://dashboard.example/"

const setup = (options: Partial<OAuthRefreshOptions> = {}) =>
  Effect.gen(function*() {
    const sim = yield* HomeAssistantSimulator.make({ accessToken: "unused-long-lived", refreshToken: REFRESH, clientId: CLIENT, accessTokenLifetime: "10 minutes" })
    const tokens = yield* oauthRefresh({ hassUrl: sim.httpUrl, clientId: CLIENT, refreshToken: REFRESH, ...options }).pipe(
      Effect.provide(FetchHttpClient.layer)
    )
    return { sim, tokens }
  })

const client = (sim: HomeAssistantSimulator, accessToken: HomeAssistantOptions["accessToken"]) =>
  Effect.map(
    Layer.build(HomeAssistantLayer({ url: sim.httpUrl, accessToken, reconnect: Schedule.spaced("5 seconds") }).pipe(Layer.provide(WebSocketClientLive))),
    (context) => Context.get(context, HomeAssistant)
  )

describe("Home Assistant OAuth refresh (oauthRefresh)", () => {
  it.scoped("gets an access token from /auth/token, reuses it, and renews it renewBefore its expiry", () =>
    Effect.gen(function*() {
      const { sim, tokens } = yield* setup({ renewBefore: "1 minute" })
      const ha = yield* client(sim, tokens.accessToken)
      expect(sim.tokenRequests).toBe(1)
      expect(Option.getOrThrow(yield* tokens.expiresAt)).toBe(10 * 60_000)
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      expect(sim.tokenRequests).toBe(1) // still fresh: no request
      yield* TestClock.adjust("9 minutes") // within a minute of expiry
      yield* sim.dropAll
      yield* reconnected(ha, sim, 3)
      expect(sim.tokenRequests).toBe(2)
      expect(Option.getOrThrow(yield* tokens.expiresAt)).toBe(19 * 60_000)
      expect((yield* ha.getStates()).length).toBeGreaterThan(0)
    }))

  it.scoped("the simulator rejects an expired access token, so renewal is what keeps reconnects working", () =>
    Effect.gen(function*() {
      const { sim, tokens } = yield* setup()
      const first = yield* tokens.accessToken
      yield* TestClock.adjust("10 minutes")
      const exit = yield* Effect.exit(client(sim, first))
      expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toBeInstanceOf(AuthInvalid)
      yield* client(sim, tokens.accessToken) // renewed, accepted
      expect(sim.tokenRequests).toBe(2)
    }))

  it.scoped("concurrent callers share one request", () =>
    Effect.gen(function*() {
      const { sim, tokens } = yield* setup()
      const all = yield* Effect.all([tokens.accessToken, tokens.accessToken, tokens.accessToken], { concurrency: "unbounded" })
      expect(new Set(all.map(String)).size).toBe(1)
      expect(sim.tokenRequests).toBe(1)
    }))

  it.scoped("HA unreachable or a 5xx is TokenUnavailable: the client retries and connects once HA answers (HAWS #36)", () =>
    Effect.gen(function*() {
      const { sim, tokens } = yield* setup()
      const ha = yield* client(sim, tokens.accessToken)
      yield* TestClock.adjust("10 minutes")
      yield* sim.setTokenEndpointStatus(502)
      const bad = yield* Effect.flip(tokens.accessToken)
      expect(bad).toStrictEqual(new TokenUnavailable({ reason: "/auth/token answered HTTP 502" }))
      yield* sim.dropAll
      yield* reachState(ha, "reconnecting")
      const requests = sim.tokenRequests
      yield* TestClock.adjust("5 seconds")
      yield* eventually(() => sim.tokenRequests > requests, "a retried token request")
      expect(sim.acceptedCount).toBe(1) // no token, no connection
      expect(yield* ha.connectionState).toBe("reconnecting") // not logged out
      yield* sim.setTokenEndpointStatus(undefined)
      yield* TestClock.adjust("5 seconds")
      yield* reconnected(ha, sim, 2)

      yield* sim.goOffline
      const unreachable = yield* Effect.flip(oauthRefresh({ hassUrl: sim.httpUrl, clientId: CLIENT, refreshToken: REFRESH }).pipe(
        Effect.flatMap((fresh) => fresh.accessToken),
        Effect.provide(FetchHttpClient.layer)
      ))
      expect(unreachable).toBeInstanceOf(TokenUnavailable)
      expect(unreachable.message).toContain("unreachable")
    }))

  it.scoped("400 or 403 means the refresh token is invalid: AuthInvalid, final, without asking HA again", () =>
    Effect.gen(function*() {
      const { sim, tokens } = yield* setup()
      yield* sim.revokeRefreshToken
      const error = yield* Effect.flip(tokens.accessToken)
      expect(error).toStrictEqual(new AuthInvalid({ reason: "Home Assistant rejected the refresh token (HTTP 400)" }))
      expect(yield* Effect.flip(tokens.accessToken)).toBe(error)
      expect(sim.tokenRequests).toBe(1)
      const wrongClient = yield* oauthRefresh({ hassUrl: sim.httpUrl, clientId: "https://other.example/", refreshToken: REFRESH }).pipe(
        Effect.flatMap((other) => Effect.flip(other.accessToken)),
        Effect.provide(FetchHttpClient.layer)
      )
      expect(wrongClient).toBeInstanceOf(AuthInvalid)
      const layer = yield* Effect.flip(client(sim, tokens.accessToken))
      expect(layer).toBeInstanceOf(AuthInvalid)
    }))

  it.effect("an unusable URL or duration fails before any request; plain http:// off this machine needs allowInsecure", () =>
    Effect.gen(function*() {
      const make = (hassUrl: string, allowInsecure?: boolean) =>
        Effect.flip(oauthRefresh({ hassUrl, clientId: CLIENT, refreshToken: REFRESH, ...(allowInsecure === undefined ? {} : { allowInsecure }) }))
          .pipe(Effect.provide(FetchHttpClient.layer))
      expect(yield* make("http://ha.example:8123")).toStrictEqual(new InsecureConnection({ host: "ha.example" }))
      expect(yield* make("ws://ha.example:8123")).toBeInstanceOf(InvalidUrl)
      expect(yield* make("not a url")).toBeInstanceOf(InvalidUrl)
      const allowed = yield* Effect.either(oauthRefresh({ hassUrl: "http://ha.example:8123", clientId: CLIENT, refreshToken: REFRESH, allowInsecure: true })
        .pipe(Effect.provide(FetchHttpClient.layer)))
      expect(allowed._tag).toBe("Right") // built, and nothing sent: tokens are fetched only when asked for
      const badTimeout = yield* Effect.flip(oauthRefresh({ hassUrl: "https://ha.example:8123", clientId: CLIENT, refreshToken: REFRESH, requestTimeout: -1 })
        .pipe(Effect.provide(FetchHttpClient.layer)))
      expect(badTimeout).toBeInstanceOf(InvalidOption)
    }))

  it.scoped("neither token appears in any log line, error or span", () => {
    const lines: Array<string> = []
    const capture = Logger.make(({ annotations, message }) => lines.push(JSON.stringify({ message, annotations: [...annotations] })))
    return Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const printed: Array<string> = []
      const run = Effect.gen(function*() {
        const { sim, tokens } = yield* setup()
        const ha = yield* client(sim, tokens.accessToken)
        const issued = yield* tokens.accessToken
        printed.push(String(issued), JSON.stringify(issued))
        yield* TestClock.adjust("10 minutes")
        yield* sim.setTokenEndpointStatus(503)
        printed.push(String(yield* Effect.flip(tokens.accessToken)))
        yield* sim.setTokenEndpointStatus(undefined)
        yield* sim.revokeRefreshToken
        const error = yield* Effect.flip(tokens.accessToken)
        printed.push(String(error), JSON.stringify(error), error.message)
        yield* sim.dropAll
        yield* reachState(ha, "closed")
      })
      yield* run.pipe(Effect.withTracer(tracer))
      const everything = [...lines, ...printed, JSON.stringify(spans.map((span) => [span.name, [...span.attributes]]))].join("\n")
      expect(spans.some((span) => span.name.startsWith("http.client"))).toBe(true)
      expect(lines.length).toBeGreaterThan(0)
      expect(everything).not.toContain(REFRESH)
      expect(everything).not.toContain("sim-access-")
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)), Logger.withMinimumLogLevel(LogLevel.All))
  })
})
