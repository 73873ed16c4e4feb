/**
 * JSON-RPC 2.0 as a protocol on the live session: numeric ids, responses matched by id in any order (a batch's
 * too), error responses as `JsonRpcError`, and subscriptions in the Ethereum convention — the subscribe call answers
 * with a subscription id, and notifications carry it as `params.subscription` beside `params.result`.
 */
import { InvalidMessage } from "../core/errors.js"
import type { Inbound, Protocol, SubscriptionKey } from "../live/Protocol.js"
import { JsonRpcError } from "./errors.js"
import { encodeBatch, encodeCall, type JsonRpcCall, type JsonRpcSubscribeCall } from "./messages.js"

const NO_SUBSCRIPTION_ID = new InvalidMessage({ reason: "the subscribe call did not answer with a subscription id" })

/** A server's error object as a `JsonRpcError`; one that breaks the spec's shape is kept whole in `data`. */
const toJsonRpcError = (error: unknown): JsonRpcError => {
  if (typeof error === "object" && error !== null) {
    const { code, message, data } = error as { readonly code?: unknown; readonly message?: unknown; readonly data?: unknown }
    if (typeof code === "number" && Number.isInteger(code) && typeof message === "string") {
      return new JsonRpcError(data === undefined ? { code, message } : { code, message, data })
    }
  }
  return new JsonRpcError({ code: -32603, message: "the server sent a malformed error object", data: error })
}

const isKey = (value: unknown): value is SubscriptionKey =>
  (typeof value === "string" && value.length > 0) || (typeof value === "number" && Number.isFinite(value))

const decodeOne = (message: unknown, inbound: Inbound<JsonRpcError>): void => {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return inbound.noise("not a JSON object")
  const response = message as {
    readonly jsonrpc?: unknown
    readonly id?: unknown
    readonly result?: unknown
    readonly error?: unknown
    readonly method?: unknown
    readonly params?: { readonly subscription?: unknown; readonly result?: unknown }
  }
  if (response.jsonrpc !== "2.0") return inbound.noise("not JSON-RPC 2.0 (no \"jsonrpc\": \"2.0\")")
  if (typeof response.method === "string") {
    if (response.id !== undefined) return inbound.noise(`a request from the server (${response.method}), which this client does not serve`)
    const params = response.params
    if (typeof params === "object" && params !== null && isKey(params.subscription) && "result" in params) {
      return inbound.event(params.subscription, params.result)
    }
    return inbound.noise(`a notification (${response.method}) for no subscription`)
  }
  const id = response.id
  if (typeof id !== "number") {
    return inbound.noise(
      response.error === undefined ? "a response without a numeric id" : `an error response for no request: ${toJsonRpcError(response.error).message}`
    )
  }
  if ("error" in response) return inbound.error(id, toJsonRpcError(response.error))
  if ("result" in response) return inbound.result(id, response.result)
  inbound.noise(`a response for id ${id} with neither result nor error`)
}

/**
 * JSON-RPC 2.0 over a WebSocket. `ping`, when given, is the call the keep-alive makes (any answer, an error
 * response included, proves the link alive); without it the live session relies on WebSocket pings.
 */
export const jsonRpcProtocol = (ping?: JsonRpcCall): Protocol<JsonRpcSubscribeCall, void, JsonRpcError, never> => ({
  name: "JSON-RPC",
  // A call completes with its response, not its write: calls made together can leave in one write.
  connectOptions: { coalesceWrites: true, closeTimeout: "2 seconds" },
  nameOf: (call) => typeof call?.method === "string" ? call.method : "request",
  encode: encodeCall,
  encodeBatch,
  encodeNotification: (call) => encodeCall(call, undefined),
  decode: (message, inbound) => {
    if (!Array.isArray(message)) return decodeOne(message, inbound)
    if (message.length === 0) return inbound.noise("an empty batch response")
    for (const each of message) decodeOne(each, inbound)
  },
  subscriptionKey: (answer) => isKey(answer) ? answer : NO_SUBSCRIPTION_ID,
  unsubscribe: (key, subscribe) =>
    subscribe.unsubscribe === undefined ? undefined : { method: subscribe.unsubscribe, params: [key] },
  ...(ping === undefined ? {} : { ping })
})
