/**
 * Opening a session: connect, `auth_required` → `auth` → `auth_ok`, then `supported_features` with coalescing.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Deadlines } from "../../core/Deadlines.js"
import type { WebSocketClient } from "../../core/WebSocketClient.js"
import type { InvalidOption } from "../../core/errors.js"
import { AuthInvalid, CommandTimeout, HandshakeFailed, type OpenError, type TokenUnavailable } from "../errors.js"
import { authMessage, supportedFeaturesMessage } from "../messages.js"
import { Session } from "./session.js"

/** What opening a session needs. */
export interface SessionSettings {
  readonly url: string
  /** Run before every connect, so each session authenticates with the token current then. */
  readonly accessToken: Effect.Effect<Redacted.Redacted<string>, AuthInvalid | TokenUnavailable | InvalidOption>
  readonly authTimeout: Duration.Duration
  readonly connectTimeout: Duration.Duration
  readonly commandTimeout: Duration.Duration
}

const typeOf = (message: unknown): unknown =>
  typeof message === "object" && message !== null && !Array.isArray(message)
    ? (message as { readonly type?: unknown }).type
    : undefined

/** Opens and authenticates one session; its connection lives in the surrounding scope. */
export const openSession = (
  client: WebSocketClient["Type"],
  settings: SessionSettings,
  deadlines: Deadlines
): Effect.Effect<Session, OpenError, Scope.Scope> =>
  Effect.gen(function*() {
    const accessToken = yield* settings.accessToken
    const connection = yield* client.connect({
      url: settings.url,
      timeout: settings.connectTimeout,
      // a dead peer should not hold up the reconnect for long
      closeTimeout: "2 seconds",
      // A command completes with its result, not its write: frames sent in one run can leave in one write.
      coalesceWrites: true
    })
    const handshake = Effect.gen(function*() {
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
      return typeof version === "string" ? version : "unknown"
    })
    const haVersion = yield* Effect.timeoutFail(handshake, {
      duration: settings.authTimeout,
      onTimeout: () => new CommandTimeout({ command: "auth", after: settings.authTimeout })
    })
    const session = new Session(client, connection, haVersion, deadlines)
    yield* Effect.forkScoped(session.run)
    const features = yield* session.send(supportedFeaturesMessage).pipe(
      Effect.catchTag("SessionEnded", () => new HandshakeFailed({ reason: "the connection closed during setup" }))
    )
    yield* Effect.timeoutFail(features.result, {
      duration: settings.commandTimeout,
      onTimeout: () => new CommandTimeout({ command: "supported_features", after: settings.commandTimeout })
    })
    return session
  })
