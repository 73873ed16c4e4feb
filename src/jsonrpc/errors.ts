/**
 * The JSON-RPC 2.0 client's own failure: the server's error response. The failures every protocol on a live session
 * shares (`ConnectionLost`, `Disconnected`, `CommandTimeout`) come from `src/live/errors.ts`.
 */
import * as Schema from "effect/Schema"
import type { InvalidMessage, InvalidOption } from "../core/errors.js"
import type { CommandTimeout, ConnectionLost, Disconnected } from "../live/errors.js"

/** The codes JSON-RPC 2.0 reserves, by name. */
export const JsonRpcErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603
} as const

/** What a code means: one of the spec's names, `"ServerError"` (-32000 to -32099), or `"ApplicationError"`. */
export type JsonRpcErrorKind = keyof typeof JsonRpcErrorCodes | "ServerError" | "ApplicationError"

/** The server answered a request with an error response: its `code`, `message` and optional `data`, as sent. */
export class JsonRpcError extends Schema.TaggedError<JsonRpcError>()("JsonRpcError", {
  code: Schema.Number,
  message: Schema.String,
  data: Schema.optional(Schema.Unknown)
}) {
  /** The spec's name for `code`. */
  get kind(): JsonRpcErrorKind {
    for (const [name, code] of Object.entries(JsonRpcErrorCodes)) {
      if (code === this.code) return name as keyof typeof JsonRpcErrorCodes
    }
    return this.code <= -32000 && this.code >= -32099 ? "ServerError" : "ApplicationError"
  }
}

/**
 * Every way a call can fail. `InvalidMessage`: the call could not be framed (a method that is not a string, params
 * that are neither an array nor a plain object, a value JSON cannot carry: nothing was sent), or an answer was
 * malformed. `InvalidOption`: a per-call option such as `timeout` is out of range.
 */
export type JsonRpcCallError =
  | JsonRpcError
  | ConnectionLost
  | Disconnected
  | CommandTimeout
  | InvalidMessage
  | InvalidOption
