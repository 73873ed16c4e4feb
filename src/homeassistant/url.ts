/**
 * Where the Home Assistant WebSocket API lives, and whether a token may travel there unencrypted.
 */
import * as Either from "effect/Either"
import { InvalidUrl } from "../core/errors.js"
import { parseUrl } from "../core/url.js"

/**
 * Accepts `http(s)://host:8123[/prefix]` (the address people type) as well as `ws(s)://host/api/websocket` and
 * returns the WebSocket API URL.
 */
export const websocketApiUrl = (input: string): Either.Either<URL, InvalidUrl> => {
  const parsed = parseUrl(input, "the Home Assistant URL")
  if (Either.isLeft(parsed)) return parsed
  const url = parsed.right
  if (url.protocol === "http:" || url.protocol === "https:") {
    url.protocol = url.protocol === "http:" ? "ws:" : "wss:"
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/websocket`
  } else if (url.protocol === "ws:" || url.protocol === "wss:") {
    if (url.pathname === "/" || url.pathname === "") url.pathname = "/api/websocket"
  } else {
    return Either.left(new InvalidUrl({ reason: `expected http(s):// or ws(s)://, got ${url.protocol}` }))
  }
  url.hash = ""
  return Either.right(url)
}

/** Whether `hostname` is this machine: `localhost`, 127.0.0.0/8 or ::1. */
export const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true
  const octets = host.split(".")
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
}
