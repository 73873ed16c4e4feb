/**
 * What crosses the wire: outbound values become text or binary frames, inbound frames become values.
 */
import { InvalidMessage } from "./errors.js"

/** A JSON object as sent or received. */
export type JsonObject = { readonly [key: string]: unknown }

/** What `send` accepts: text, bytes, or a plain object or array sent as JSON text. */
export type OutboundMessage = string | Uint8Array | JsonObject | ReadonlyArray<unknown>

/** What `receive` yields: parsed JSON for object/array text, the raw string for other text, bytes for binary. */
export type InboundMessage = string | Uint8Array | JsonObject | ReadonlyArray<unknown>

/** A frame's payload as handed to a transport: a string is a text frame, bytes a binary frame. */
export type Frame = string | Uint8Array

const rejectUnserialisable = (_key: string, value: unknown): unknown => {
  switch (typeof value) {
    case "bigint":
      throw new TypeError("a BigInt has no JSON form")
    case "function":
      throw new TypeError("a function has no JSON form")
    case "symbol":
      throw new TypeError("a Symbol has no JSON form")
  }
  if (value instanceof Map || value instanceof Set) throw new TypeError("a Map or Set would be sent as {}")
  return value
}

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value

/** Whether `value` is a plain object (its prototype `Object.prototype` or `null`): what is sent as a JSON object. */
export const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Whether `value` is made only of JSON primitives, `undefined` (dropped as JSON drops it) and plain objects or
 * arrays, at most 32 deep. Anything else (a Date, a Map, a BigInt, a cycle...) takes the careful path.
 */
const isPlainJson = (value: unknown, depth: number): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return true
    case "number":
      return true
    case "object": {
      if (value === null) return true
      if (depth > 32) return false
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false
        return true
      }
      if (!isPlainObject(value)) return false
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false
      }
      return true
    }
    default:
      return false
  }
}

/**
 * Turns an outbound value into a frame without losing anything: a value JSON would drop or mangle
 * (BigInt, function, Symbol, cycle, Map, Set, a non-plain object) is an `InvalidMessage`, returned rather than
 * thrown. The frame itself is returned, not wrapped in an `Either`: this runs once per message sent.
 */
export const encodeMessage = (message: unknown): Frame | InvalidMessage => {
  if (typeof message === "string" || message instanceof Uint8Array) return message
  if (typeof message !== "object" || message === null || !(Array.isArray(message) || isPlainObject(message))) {
    return new InvalidMessage({ reason: `expected a string, Uint8Array, plain object or array, got ${describe(message)}` })
  }
  // Most messages hold only strings, numbers, booleans, null and plain containers: for those V8's native
  // serializer is safe as is (a replacer forces a call into JavaScript for every value, 2-4x slower).
  try {
    if (isPlainJson(message, 0)) return JSON.stringify(message)
    return JSON.stringify(message, rejectUnserialisable)
  } catch (error) {
    const reason = error instanceof TypeError && /circular/i.test(error.message)
      ? "the object contains a cycle"
      : error instanceof Error
      ? error.message
      : "not serialisable as JSON"
    return new InvalidMessage({ reason })
  }
}

const startsLikeJsonContainer = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // skip JSON whitespace: space, tab, line feed, carriage return
    if (c === 32 || c === 9 || c === 10 || c === 13) continue
    return c === 123 /* { */ || c === 91 /* [ */
  }
  return false
}

/** Decodes an inbound frame: object/array JSON text is parsed, any other text stays the raw string. */
export const decodeFrame = (frame: Frame): InboundMessage => {
  if (typeof frame !== "string" || !startsLikeJsonContainer(frame)) return frame
  try {
    return JSON.parse(frame) as InboundMessage
  } catch {
    return frame
  }
}
