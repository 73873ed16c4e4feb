/**
 * WebSocket URL parsing and redaction.
 */
import * as Either from "effect/Either"
import { InvalidUrl } from "./errors.js"

/** Parses any absolute URL, or `InvalidUrl` naming `what` (the reason never holds the input, which may carry secrets). */
export const parseUrl = (input: string, what = "the URL"): Either.Either<URL, InvalidUrl> => {
  try {
    return Either.right(new URL(input))
  } catch {
    return Either.left(new InvalidUrl({ reason: `${what} cannot be parsed` }))
  }
}

/** Parses a `ws:`/`wss:` URL; anything else (empty, unparsable, other scheme, fragment) is `InvalidUrl`. */
export const parseWebSocketUrl = (input: unknown): Either.Either<URL, InvalidUrl> => {
  if (typeof input !== "string") return Either.left(new InvalidUrl({ reason: `expected a string, got ${typeof input}` }))
  if (input.trim() === "") return Either.left(new InvalidUrl({ reason: "the URL is empty" }))
  const parsed = parseUrl(input)
  if (Either.isLeft(parsed)) return parsed
  const url = parsed.right
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    return Either.left(new InvalidUrl({ reason: `the scheme must be ws: or wss:, got ${url.protocol}` }))
  }
  if (url.hash !== "") return Either.left(new InvalidUrl({ reason: "a WebSocket URL cannot carry a fragment (#...)" }))
  return Either.right(url)
}

let lastHref = ""
let lastRedacted = ""

/** The URL without user name, password, query or fragment: safe for errors, logs and span attributes. */
export const redactUrl = (url: URL): string => {
  // Connections usually go to one URL again and again: they share one string (a new one per connection measured
  // as 64 bytes of every idle connection).
  const href = url.href
  if (href !== lastHref) {
    lastRedacted = `${url.protocol}//${url.host}${url.pathname}`
    lastHref = href
  }
  return lastRedacted
}

/** `redactUrl` for unvalidated input: what a span may show of whatever the caller passed. */
export const redactUrlInput = (input: unknown): string => {
  if (typeof input !== "string") return ""
  try {
    return redactUrl(new URL(input))
  } catch {
    return "(unparsable)"
  }
}
