import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { encodeMessage } from "../../src/core/message.js"
import { InvalidMessage } from "../../src/index.js"

describe("encodeMessage", () => {
  it("plain JSON objects and arrays encode exactly as JSON.stringify does", () => {
    const plain = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()))
    fc.assert(fc.property(plain, (value) => {
      expect(encodeMessage(value)).toStrictEqual(JSON.stringify(value))
    }), { numRuns: 500, seed: 7 })
  })

  it("undefined members are dropped (objects) or null (arrays), as JSON does", () => {
    expect(encodeMessage({ a: undefined, b: [undefined, 1] })).toStrictEqual("{\"b\":[null,1]}")
  })

  it("a value JSON would mangle, anywhere inside, is an InvalidMessage", () => {
    const bad = fc.constantFrom<unknown>(1n, () => 1, Symbol("s"), new Map([[1, 2]]), new Set([1]))
    const nested = fc.tuple(bad, fc.nat(3)).map(([value, depth]) => {
      let message: unknown = { value }
      for (let i = 0; i < depth; i++) message = i % 2 === 0 ? [message] : { inner: message }
      return message
    })
    fc.assert(fc.property(nested, (message) => {
      expect(encodeMessage(message)).toBeInstanceOf(InvalidMessage)
    }), { numRuns: 200, seed: 7 })
  })

  it("a getter that throws is an InvalidMessage, not a defect", () => {
    const message = {
      get broken(): never {
        throw new Error("boom")
      }
    }
    expect(encodeMessage(message)).toStrictEqual(new InvalidMessage({ reason: "boom" }))
  })

  it("Dates and deep structures still encode through the careful path", () => {
    const date = new Date(0)
    expect(encodeMessage({ at: date })).toStrictEqual(JSON.stringify({ at: date }))
    let deep: unknown = 1
    for (let i = 0; i < 100; i++) deep = [deep]
    expect(encodeMessage(deep)).toStrictEqual(JSON.stringify(deep))
  })
})
