/**
 * JSON-RPC 2.0 wire shapes and the pure functions that frame and read them. Imports nothing that runs.
 */
import { InvalidMessage } from "../core/errors.js"
import { encodeMessage, type Frame, isPlainObject } from "../core/message.js"

/** Positional or named parameters: an array or a plain object. */
export type JsonRpcParams = ReadonlyArray<unknown> | Readonly<Record<string, unknown>>

/** A call as the caller gives it; the client adds `jsonrpc` and the `id`. */
export interface JsonRpcCall {
  readonly method: string
  readonly params?: JsonRpcParams | undefined
}

/** A subscribe call, with the method that ends it (Ethereum's `eth_subscribe` / `eth_unsubscribe`). */
export interface JsonRpcSubscribeCall extends JsonRpcCall {
  readonly unsubscribe?: string | undefined
}

/** The object a call is framed as; `InvalidMessage` when the call is not one JSON-RPC can carry. */
export const callObject = (call: JsonRpcCall, id: number | undefined): Record<string, unknown> | InvalidMessage => {
  if (typeof call !== "object" || call === null) return new InvalidMessage({ reason: "a JSON-RPC call must be an object" })
  const { method, params } = call
  if (typeof method !== "string" || method.length === 0) {
    return new InvalidMessage({ reason: "a JSON-RPC method must be a non-empty string" })
  }
  if (params !== undefined && !Array.isArray(params) && !(typeof params === "object" && params !== null && isPlainObject(params))) {
    return new InvalidMessage({ reason: `JSON-RPC params must be an array or a plain object, got ${params === null ? "null" : typeof params}` })
  }
  const object: Record<string, unknown> = { jsonrpc: "2.0" }
  if (id !== undefined) object.id = id
  object.method = method
  if (params !== undefined) object.params = params
  return object
}

/** The frame of a request with `id`, or of a notification when `id` is `undefined`. */
export const encodeCall = (call: JsonRpcCall, id: number | undefined): Frame | InvalidMessage => {
  const object = callObject(call, id)
  return object instanceof InvalidMessage ? object : encodeMessage(object)
}

/** The frame of a batch: an array of request objects. */
export const encodeBatch = (calls: ReadonlyArray<{ readonly id: number; readonly request: JsonRpcCall }>): Frame | InvalidMessage => {
  const objects: Array<Record<string, unknown>> = []
  for (const { id, request } of calls) {
    const object = callObject(request, id)
    if (object instanceof InvalidMessage) return object
    objects.push(object)
  }
  return encodeMessage(objects)
}
