/**
 * Typed failures of the Home Assistant client. No field or message ever holds the access token.
 */
import * as Schema from "effect/Schema"
import type { ConnectError, InvalidMessage, InvalidOption, ReceiveError, SendError } from "../core/errors.js"
import { CommandTimeout, ConnectionLost, Disconnected } from "../live/errors.js"

// The failures every protocol on a live session shares, under the names HA users already catch.
export { CommandTimeout, ConnectionLost, Disconnected }

/** Home Assistant refused the access token (`auth_invalid`). The client stops reconnecting. */
export class AuthInvalid extends Schema.TaggedError<AuthInvalid>()("AuthInvalid", {
  reason: Schema.String
}) {
  override get message() {
    return `Home Assistant rejected the access token: ${this.reason}`
  }
}

/** A command failed on the server: HA's error `code` and `message`, with translation fields when sent. */
export class HomeAssistantError extends Schema.TaggedError<HomeAssistantError>()("HomeAssistantError", {
  code: Schema.String,
  message: Schema.String,
  translationKey: Schema.optional(Schema.String),
  translationDomain: Schema.optional(Schema.String),
  translationPlaceholders: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
}) {}

/** The server broke the protocol during the handshake (for example no `auth_required` first). */
export class HandshakeFailed extends Schema.TaggedError<HandshakeFailed>()("HandshakeFailed", {
  reason: Schema.String
}) {
  override get message() {
    return `Home Assistant handshake failed: ${this.reason}`
  }
}

/**
 * The access token could not be had right now (a token store or refresh that failed transiently): the client
 * tries again on its reconnect schedule. `reason` never holds the token.
 */
export class TokenUnavailable extends Schema.TaggedError<TokenUnavailable>()("TokenUnavailable", {
  reason: Schema.String
}) {
  override get message() {
    return `no Home Assistant access token right now: ${this.reason}`
  }
}

/** Home Assistant could not render a template (`render_template`); `reason` is HA's message. */
export class TemplateError extends Schema.TaggedError<TemplateError>()("TemplateError", {
  reason: Schema.String
}) {
  override get message() {
    return `Home Assistant could not render the template: ${this.reason}`
  }
}

/** An Assist pipeline run failed: HA's `error` event (`code` such as `stt-no-text-recognized`, and its `message`). */
export class AssistPipelineError extends Schema.TaggedError<AssistPipelineError>()("AssistPipelineError", {
  code: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Assist pipeline failed (${this.code}): ${this.reason}`
  }
}

/** A token would travel unencrypted (`ws://`, `http://`) to a host that is not this machine, and no opt-in was given. */
export class InsecureConnection extends Schema.TaggedError<InsecureConnection>()("InsecureConnection", {
  host: Schema.String
}) {
  override get message() {
    return `Refusing to send a Home Assistant token unencrypted to ${this.host}; use wss:// / https:// or set allowInsecure`
  }
}

/**
 * Every way a command can fail. `InvalidMessage`: the command could not be sent without loss (nothing was sent), or
 * its reply or event did not match its schema. `InvalidOption`: a per-call option such as `timeout` is out of range.
 */
export type CommandError =
  | HomeAssistantError
  | ConnectionLost
  | Disconnected
  | CommandTimeout
  | InvalidMessage
  | InvalidOption

/** Every way opening a session can fail: connecting, authenticating, or the first commands. */
export type OpenError =
  | ConnectError
  | ReceiveError
  | SendError
  | AuthInvalid
  | TokenUnavailable
  | HandshakeFailed
  | CommandTimeout
  | HomeAssistantError
  | ConnectionLost
  | InvalidMessage
  | InvalidOption
