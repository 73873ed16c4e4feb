/**
 * Turns caller options into validated connection settings, or the typed error naming what is wrong.
 */
import { Duration, Effect, Either } from "effect"
import { type HostDenied, InvalidOption, type InvalidUrl } from "../errors.js"
import type { HostGuard } from "../HostPolicy.js"
import type { ConnectOptions } from "../options.js"
import { parseWebSocketUrl, redactUrl } from "../url.js"
import type { ConnectionSettings } from "./connection.js"
import { decodeDuration, durationOr, positiveInteger, validateHeaders } from "./validate.js"

export const DEFAULT_CONNECT_TIMEOUT = Duration.seconds(10)
export const DEFAULT_CLOSE_TIMEOUT = Duration.seconds(5)
export const DEFAULT_BUFFER_SIZE = 1024
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024

const PROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const validateProtocols = (input: unknown): Either.Either<ReadonlyArray<string>, InvalidOption> => {
  if (input === undefined) return Either.right([])
  if (!Array.isArray(input) || !input.every((p): p is string => typeof p === "string" && PROTOCOL_TOKEN.test(p))) {
    return Either.left(new InvalidOption({ option: "protocols", reason: "expected an array of subprotocol tokens" }))
  }
  if (new Set(input).size !== input.length) {
    return Either.left(new InvalidOption({ option: "protocols", reason: "a subprotocol is listed twice" }))
  }
  return Either.right(input)
}

/** Validated settings of one connection, plus its connect and heartbeat bounds. */
export interface ResolvedConnect extends ConnectionSettings {
  readonly connectTimeout: Duration.Duration
  readonly heartbeat: { readonly interval: Duration.Duration; readonly timeout: Duration.Duration } | undefined
}

/** Validates every connect option; the first problem is the typed error. */
export const resolveConnectOptions = (
  options: ConnectOptions,
  guard: HostGuard | undefined
): Effect.Effect<ResolvedConnect, InvalidUrl | InvalidOption | HostDenied> =>
  Effect.gen(function*() {
    if (typeof options !== "object" || options === null) {
      return yield* new InvalidOption({ option: "options", reason: "expected an object with a url" })
    }
    const url = yield* parseWebSocketUrl(options.url)
    const denied = guard?.checkHost(url.hostname)
    if (denied !== undefined) return yield* denied
    const headers = yield* validateHeaders(options.headers)
    const connectTimeout = yield* durationOr("timeout", options.timeout, DEFAULT_CONNECT_TIMEOUT)
    const closeTimeout = yield* durationOr("closeTimeout", options.closeTimeout, DEFAULT_CLOSE_TIMEOUT)
    const protocols = yield* validateProtocols(options.protocols)
    const maxPayload = yield* positiveInteger("maxPayload", options.maxPayload, DEFAULT_MAX_PAYLOAD)
    const bufferSize = yield* positiveInteger("bufferSize", options.bufferSize, DEFAULT_BUFFER_SIZE, 1 << 24)
    const heartbeat = options.heartbeat === undefined ? undefined : {
      interval: yield* decodeDuration("heartbeat.interval", options.heartbeat.interval),
      timeout: yield* decodeDuration("heartbeat.timeout", options.heartbeat.timeout)
    }
    if (heartbeat !== undefined && !Duration.greaterThan(heartbeat.interval, Duration.zero)) {
      return yield* new InvalidOption({ option: "heartbeat.interval", reason: "must be greater than zero" })
    }
    if (options.tls !== undefined && (typeof options.tls !== "object" || options.tls === null)) {
      return yield* new InvalidOption({ option: "tls", reason: "expected an object" })
    }
    return {
      request: {
        url,
        redactedUrl: redactUrl(url),
        headers,
        protocols,
        maxPayload,
        tls: options.tls,
        checkAddress: guard === undefined ? undefined : (address: string) => guard.checkAddress(url.hostname, address)
      },
      bufferSize,
      closeTimeout,
      connectTimeout,
      heartbeat
    }
  })

/** Applies an optional bound measured on the Effect clock; `undefined` or infinity means none. */
export const withOptionalTimeout = <A, E, R, E2>(
  effect: Effect.Effect<A, E, R>,
  timeout: Duration.Duration | undefined,
  onTimeout: (after: Duration.Duration) => E2
): Effect.Effect<A, E | E2, R> =>
  timeout === undefined || !Duration.isFinite(timeout)
    ? effect
    : Effect.timeoutFail(effect, { duration: timeout, onTimeout: () => onTimeout(timeout) })
