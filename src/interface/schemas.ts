/**
 * INT-07 parameter schemas, one per operation. Timeouts are seconds (fractions allowed).
 */
import * as Schema from "effect/Schema"
import { isSendableCloseCode } from "../core/closeCodes.js"
import { ConnectionHandle } from "./ConnectionHandle.js"

/** A non-negative, finite number of seconds. */
const Seconds = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())

const Headers = Schema.Record({ key: Schema.String, value: Schema.String })

const Handle = Schema.declare((input: unknown): input is ConnectionHandle => input instanceof ConnectionHandle)

const Message = Schema.declare(
  (input: unknown): input is string | Uint8Array | object =>
    typeof input === "string" || (typeof input === "object" && input !== null)
)

const CloseCode = Schema.Number.pipe(Schema.filter(isSendableCloseCode))

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** Parameters of each operation. */
export const OperationParams = {
  connect: Schema.Struct({ url: Schema.String, headers: optional(Headers), timeout: optional(Seconds) }),
  send: Schema.Struct({ connection: Handle, message: Message, timeout: optional(Seconds) }),
  receive: Schema.Struct({ connection: Handle, timeout: optional(Seconds) }),
  close: Schema.Struct({ connection: Handle, code: optional(CloseCode), reason: optional(Schema.String) }),
  request: Schema.Struct({
    url: Schema.String,
    message: Message,
    timeout: optional(Seconds),
    headers: optional(Headers)
  }),
  get_stats: Schema.Struct({}),
  reset: Schema.Struct({})
} as const

/** The operation names, exactly as callers spell them. */
export type OperationName = keyof typeof OperationParams

/** The decoded parameters of `operation`. */
export type ParamsOf<O extends OperationName> = Schema.Schema.Type<(typeof OperationParams)[O]>

/** What a parameter of that name must be, for `ParameterTypeError` and `InvalidParameter` messages. */
export const expectedParameter: Readonly<Record<string, string>> = {
  params: "an object of named parameters",
  url: "a string",
  headers: "a record of header names to string values",
  timeout: "a finite, non-negative number of seconds",
  connection: "a connection handle returned by connect on this interface",
  message: "a string, a JSON object or array, or a Uint8Array",
  code: "a close code a client may send (1000-1003, 1007-1014, 3000-4999)",
  reason: "a string"
}
