/**
 * A URL on Home Assistant that a plain HTTP client may fetch once (an Assist run's TTS audio, a camera snapshot): the
 * path signed with `auth/sign_path` (HA appends `authSig`), on the address this client connects to. No token travels
 * in it; the signature expires.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { durationOr } from "../core/duration.js"
import { InvalidMessage, type InvalidOption } from "../core/errors.js"
import type { CommandError } from "./errors.js"
import type { CommandMessage } from "./messages.js"
import { decodeResult } from "./schemas.js"

/** Options of `signedUrl`. */
export interface SignedUrlOptions {
  /** How long the signature holds (whole seconds; HA's default 30 s). */
  readonly expires?: Duration.DurationInput
}

const decodeSigned = decodeResult(Schema.Struct({ path: Schema.String }), "auth/sign_path")

/** HA's HTTP address for its WebSocket API URL: `wss://host/api/websocket` → `https://host`. */
export const httpBaseOf = (websocketUrl: URL): URL => {
  const base = new URL(websocketUrl.href)
  base.protocol = base.protocol === "wss:" ? "https:" : "http:"
  base.pathname = base.pathname.replace(/\/api\/websocket\/?$/, "") || "/"
  base.search = ""
  base.username = ""
  base.password = ""
  return base
}

/**
 * `auth/sign_path` on `url`'s path (a path such as `/api/tts_proxy/…`, or a URL on this HA): the absolute URL to fetch.
 * A URL on another host cannot be signed by HA: `InvalidMessage`, and nothing is sent.
 */
export const signedUrl = (send: (message: CommandMessage) => Effect.Effect<unknown, CommandError>, base: URL) =>
(url: string, options: SignedUrlOptions = {}): Effect.Effect<string, CommandError | InvalidMessage | InvalidOption> =>
  Effect.suspend(() => {
    if (typeof url !== "string" || url === "") return Effect.fail(new InvalidMessage({ reason: "signedUrl: expected a path or URL" }))
    if (typeof options !== "object" || options === null) {
      return Effect.fail(new InvalidMessage({ reason: "signedUrl: options must be an object" }))
    }
    const expires = durationOr("expires", options.expires, Duration.seconds(30))
    if (Either.isLeft(expires)) return Effect.fail(expires.left)
    const seconds = Math.ceil(Duration.toSeconds(expires.right))
    if (!Number.isFinite(seconds) || seconds < 1) {
      return Effect.fail(new InvalidMessage({ reason: "signedUrl: expires must be at least one second and finite" }))
    }
    let target: URL
    try {
      target = new URL(url, base.origin)
    } catch {
      return Effect.fail(new InvalidMessage({ reason: "signedUrl: the URL cannot be parsed" }))
    }
    if (target.origin !== base.origin) {
      return Effect.fail(new InvalidMessage({ reason: "signedUrl: only a path on this Home Assistant can be signed" }))
    }
    return send({ type: "auth/sign_path", path: `${target.pathname}${target.search}`, expires: seconds }).pipe(
      Effect.flatMap(decodeSigned),
      Effect.map(({ path }) => new URL(path, base.origin).href)
    )
  })
