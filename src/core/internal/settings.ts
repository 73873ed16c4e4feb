/**
 * Turns caller options into validated connection settings, or the typed error naming what is wrong.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type HostDenied, InvalidOption, type InvalidUrl } from "../errors.js"
import type { HostGuard } from "../HostPolicy.js"
import type { ConnectOptions } from "../options.js"
import type { TransportCapabilities } from "../Transport.js"
import { parseWebSocketUrl, redactUrl } from "../url.js"
import type { ConnectionSettings } from "./connection.js"
import { decodeDuration, durationOr } from "../duration.js"
import { positiveInteger, validateHeaders } from "./validate.js"

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

/**
 * Validates every connect option; the first problem is the typed error. Plain code rather than a generator: it
 * runs on every connect, and each step of an Effect generator costs an allocation or two.
 */
export const resolveConnectOptions = (
  options: ConnectOptions,
  guard: HostGuard | undefined,
  transport: { readonly name: string; readonly capabilities: TransportCapabilities }
): Either.Either<ResolvedConnect, InvalidUrl | InvalidOption | HostDenied> => {
  if (typeof options !== "object" || options === null) {
    return Either.left(new InvalidOption({ option: "options", reason: "expected an object with a url" }))
  }
  const unsupported = unsupportedOption(options, transport)
  if (unsupported !== undefined) return Either.left(unsupported)
  const url = parseWebSocketUrl(options.url)
  if (Either.isLeft(url)) return Either.left(url.left)
  const denied = guard?.checkHost(url.right.hostname)
  if (denied !== undefined) return Either.left(denied)
  const headers = validateHeaders(options.headers)
  if (Either.isLeft(headers)) return Either.left(headers.left)
  const connectTimeout = durationOr("timeout", options.timeout, DEFAULT_CONNECT_TIMEOUT)
  if (Either.isLeft(connectTimeout)) return Either.left(connectTimeout.left)
  const closeTimeout = durationOr("closeTimeout", options.closeTimeout, DEFAULT_CLOSE_TIMEOUT)
  if (Either.isLeft(closeTimeout)) return Either.left(closeTimeout.left)
  const protocols = validateProtocols(options.protocols)
  if (Either.isLeft(protocols)) return Either.left(protocols.left)
  const maxPayload = positiveInteger("maxPayload", options.maxPayload, DEFAULT_MAX_PAYLOAD)
  if (Either.isLeft(maxPayload)) return Either.left(maxPayload.left)
  const bufferSize = positiveInteger("bufferSize", options.bufferSize, DEFAULT_BUFFER_SIZE, 1 << 24)
  if (Either.isLeft(bufferSize)) return Either.left(bufferSize.left)
  const heartbeat = resolveHeartbeat(options.heartbeat)
  if (Either.isLeft(heartbeat)) return Either.left(heartbeat.left)
  if (options.tls !== undefined && (typeof options.tls !== "object" || options.tls === null)) {
    return Either.left(new InvalidOption({ option: "tls", reason: "expected an object" }))
  }
  if (options.coalesceWrites !== undefined && typeof options.coalesceWrites !== "boolean") {
    return Either.left(new InvalidOption({ option: "coalesceWrites", reason: "expected a boolean" }))
  }
  const parsed = url.right
  return Either.right({
    request: {
      url: parsed,
      redactedUrl: redactUrl(parsed),
      headers: headers.right,
      protocols: protocols.right,
      maxPayload: maxPayload.right,
      tls: options.tls,
      checkAddress: guard === undefined ? undefined : (address: string) => guard.checkAddress(parsed.hostname, address),
      coalesceWrites: options.coalesceWrites === true
    },
    bufferSize: bufferSize.right,
    closeTimeout: closeTimeout.right,
    connectTimeout: connectTimeout.right,
    heartbeat: heartbeat.right
  })
}

const CANNOT: ReadonlyArray<readonly [keyof TransportCapabilities & keyof ConnectOptions | "heartbeat", string]> = [
  ["headers", "send handshake headers"],
  ["tls", "take TLS options"],
  ["maxPayload", "bound the inbound message size"],
  ["heartbeat", "send protocol-level pings"]
]

/** The first option given that the transport cannot honour, as an `InvalidOption` naming both. */
const unsupportedOption = (
  options: ConnectOptions,
  transport: { readonly name: string; readonly capabilities: TransportCapabilities }
): InvalidOption | undefined => {
  for (const [option, what] of CANNOT) {
    const supported = option === "heartbeat" ? transport.capabilities.ping : transport.capabilities[option]
    if (supported) continue
    const value: unknown = options[option]
    // No headers is `{}` too (the interface passes it); anything else given is refused, well-formed or not.
    const given = option === "headers" && typeof value === "object" && value !== null
      ? Object.keys(value).length > 0
      : value !== undefined
    if (given) {
      return new InvalidOption({ option, reason: `the ${transport.name} transport cannot ${what}` })
    }
  }
  return undefined
}

const resolveHeartbeat = (
  input: ConnectOptions["heartbeat"]
): Either.Either<ResolvedConnect["heartbeat"], InvalidOption> => {
  if (input === undefined) return Either.right(undefined)
  const interval = decodeDuration("heartbeat.interval", input.interval)
  if (Either.isLeft(interval)) return Either.left(interval.left)
  const timeout = decodeDuration("heartbeat.timeout", input.timeout)
  if (Either.isLeft(timeout)) return Either.left(timeout.left)
  if (!Duration.greaterThan(interval.right, Duration.zero)) {
    return Either.left(new InvalidOption({ option: "heartbeat.interval", reason: "must be greater than zero" }))
  }
  return Either.right({ interval: interval.right, timeout: timeout.right })
}

/** Applies an optional bound measured on the Effect clock; `undefined` or infinity means none. */
export const withOptionalTimeout = <A, E, R, E2>(
  effect: Effect.Effect<A, E, R>,
  timeout: Duration.Duration | undefined,
  onTimeout: (after: Duration.Duration) => E2
): Effect.Effect<A, E | E2, R> =>
  timeout === undefined || !Duration.isFinite(timeout)
    ? effect
    : Effect.timeoutFail(effect, { duration: timeout, onTimeout: () => onTimeout(timeout) })
