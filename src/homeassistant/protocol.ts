/**
 * Home Assistant's WebSocket API as a protocol on the live session: `auth_required` → `auth` → `auth_ok`, then
 * `supported_features` with coalesced messages; `"id"` first in every command; results, events and pongs routed by
 * id; `unsubscribe_events` and `ping`. Pure functions and one handshake Effect: the live session owns the rest.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { InvalidMessage, type InvalidOption } from "../core/errors.js"
import { encodeMessage, type Frame, isPlainObject } from "../core/message.js"
import type { Inbound, Protocol } from "../live/Protocol.js"
import { AuthInvalid, HandshakeFailed, HomeAssistantError, type OpenError, type TokenUnavailable } from "./errors.js"
import {
  authMessage,
  commandName,
  type CommandMessage,
  type ErrorPayload,
  supportedFeaturesMessage,
  unsubscribeEventsMessage
} from "./messages.js"

/** What a connection's handshake learnt: the HA version (`auth_ok`'s `ha_version`). */
export interface HomeAssistantInfo {
  readonly haVersion: string
}

/** Whether HA version `version` ("2022.3.8", "2024.4.0.dev0") is older than `year.month`; an unreadable one is not. */
export const versionBefore = (version: string, year: number, month: number): boolean => {
  const [y, m] = version.split(".").map(Number)
  if (y === undefined || m === undefined || Number.isNaN(y) || Number.isNaN(m)) return false
  return y < year || (y === year && m < month)
}

const typeOf = (message: unknown): unknown =>
  typeof message === "object" && message !== null && !Array.isArray(message)
    ? (message as { readonly type?: unknown }).type
    : undefined

const toHomeAssistantError = (error: ErrorPayload | undefined): HomeAssistantError =>
  new HomeAssistantError({
    code: typeof error?.code === "string" ? error.code : "unknown_error",
    message: typeof error?.message === "string" ? error.message : "Unknown error",
    ...(typeof error?.translation_key === "string" ? { translationKey: error.translation_key } : {}),
    ...(typeof error?.translation_domain === "string" ? { translationDomain: error.translation_domain } : {}),
    ...(error?.translation_placeholders === undefined ? {} : { translationPlaceholders: error.translation_placeholders })
  })

const NOT_A_COMMAND = new InvalidMessage({ reason: "a command must be a plain object" })

/**
 * The command's frame: a copy of the message with `"id"` first (ours wins over one the message carries, as HA
 * needs), encoded once. (Encoding the message and splicing the id into its text measured slower and allocated more:
 * the spliced string is copied again when the socket writes it.)
 */
const encode = (message: CommandMessage, id: number): Frame | InvalidMessage => {
  if (typeof message !== "object" || message === null || Array.isArray(message) || !isPlainObject(message)) {
    return NOT_A_COMMAND
  }
  const command: Record<string, unknown> = { id }
  for (const key in message) {
    if (key !== "id" && Object.hasOwn(message, key)) command[key] = (message as Record<string, unknown>)[key]
  }
  return encodeMessage(command)
}

const decodeOne = (message: unknown, inbound: Inbound<HomeAssistantError>): void => {
  if (typeof message !== "object" || message === null) return inbound.noise("not a JSON object")
  const { id, type } = message as { readonly id?: unknown; readonly type?: unknown }
  if (typeof id !== "number") return inbound.noise(`a message without a numeric id (type ${String(type)})`)
  if (type === "event") return inbound.event(id, (message as { readonly event?: unknown }).event)
  if (type === "pong") return inbound.result(id, null)
  if (type === "result") {
    const result = message as { readonly success?: unknown; readonly result?: unknown; readonly error?: ErrorPayload }
    return result.success === true ? inbound.result(id, result.result ?? null) : inbound.error(id, toHomeAssistantError(result.error))
  }
  inbound.noise(`a message of unknown type ${String(type)}`)
}

/** The handshake on a new connection: `auth_required`, our `auth`, then `auth_ok` (its `ha_version`) or `auth_invalid`. */
const handshake: Protocol<CommandMessage, HomeAssistantInfo, HomeAssistantError, OpenError, Redacted.Redacted<string>>["handshake"] = (
  connection,
  client,
  accessToken
) =>
  Effect.gen(function*() {
    const required = yield* client.receive(connection)
    if (typeOf(required) !== "auth_required") {
      return yield* new HandshakeFailed({ reason: "the server did not start with auth_required" })
    }
    yield* client.send(connection, authMessage(Redacted.value(accessToken)))
    const answer = yield* client.receive(connection)
    const type = typeOf(answer)
    if (type === "auth_invalid") {
      const reason = (answer as { readonly message?: unknown }).message
      return yield* new AuthInvalid({ reason: typeof reason === "string" ? reason : "invalid access token" })
    }
    if (type !== "auth_ok") return yield* new HandshakeFailed({ reason: `expected auth_ok, got ${String(type)}` })
    const version = (answer as { readonly ha_version?: unknown }).ha_version
    return { haVersion: typeof version === "string" ? version : "unknown" }
  })

/** Home Assistant's protocol, authenticating with the token `accessToken` yields before each connect. */
export const homeAssistantProtocol = (
  accessToken: Effect.Effect<Redacted.Redacted<string>, AuthInvalid | TokenUnavailable | InvalidOption>
): Protocol<CommandMessage, HomeAssistantInfo, HomeAssistantError, OpenError, Redacted.Redacted<string>> => ({
  name: "Home Assistant",
  connectOptions: {
    // a dead peer should not hold up the reconnect for long
    closeTimeout: "2 seconds",
    // A command completes with its result, not its write: frames sent in one run can leave in one write.
    coalesceWrites: true
  },
  prepare: accessToken,
  handshake,
  handshakeName: "auth",
  // HA has `supported_features` (and coalescing) from 2022.9; an older HA answers it with `unknown_command`.
  setup: (request, info) => versionBefore(info.haVersion, 2022, 9) ? Effect.void : Effect.asVoid(request(supportedFeaturesMessage)),
  // A rejected token, or a token source that yields no token, fails the same way every time.
  finalReason: (error) =>
    error._tag === "AuthInvalid"
      ? "Home Assistant rejected the access token"
      : error._tag === "InvalidOption"
      ? "the access token source yielded no token"
      : undefined,
  nameOf: commandName,
  encode,
  decode: (message, inbound) => {
    // After supported_features, HA may coalesce several messages into one JSON array.
    if (Array.isArray(message)) for (const each of message) decodeOne(each, inbound)
    else decodeOne(message, inbound)
  },
  unsubscribe: (key) => typeof key === "number" ? unsubscribeEventsMessage(key) : undefined,
  ping: { type: "ping" }
})
