/**
 * The failures every protocol on a live session shares: a request whose frame may have left when the connection
 * was lost, a session that is closed for good, and a bound that passed on the Effect clock. Each protocol adds its
 * own error (`HomeAssistantError`, `JsonRpcError`) beside these. No field or message holds a token.
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

/** The request was written, then the connection was lost before its answer. It is never re-sent. */
export class ConnectionLost extends Schema.TaggedError<ConnectionLost>()("ConnectionLost", {
  command: Schema.String
}) {
  override get message() {
    return `The connection was lost after '${this.command}' was sent; it was not re-sent`
  }
}

/** The session is closed (reconnecting is off or gave up, the peer refused us for good, or it shut down); nothing was sent. */
export class Disconnected extends Schema.TaggedError<Disconnected>()("Disconnected", {
  reason: Schema.String
}) {
  override get message() {
    return `Not connected: ${this.reason}`
  }
}

/** A request, the handshake or a keep-alive got no answer in time (Effect clock). */
export class CommandTimeout extends Schema.TaggedError<CommandTimeout>()("CommandTimeout", {
  command: Schema.String,
  after: Schema.DurationFromSelf
}) {
  override get message() {
    return `No answer to '${this.command}' within ${Duration.format(this.after)}`
  }
}
