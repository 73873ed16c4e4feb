import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { Fifo } from "../../src/core/internal/Fifo.js"

describe("Fifo", () => {
  it("behaves as an array queue under any mix of push, shift and takeAll, through its compactions", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), count: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant("shift" as const), count: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant("takeAll" as const) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const fifo = new Fifo<number>()
      const model: Array<number> = []
      let next = 0
      for (const step of ops) {
        if (step.kind === "push") {
          for (let i = 0; i < step.count; i++) {
            fifo.push(next)
            model.push(next++)
          }
        } else if (step.kind === "shift") {
          for (let i = 0; i < step.count; i++) expect(fifo.shift()).toBe(model.shift())
        } else {
          expect(fifo.takeAll()).toStrictEqual(model.splice(0))
        }
        expect(fifo.size).toBe(model.length)
      }
    }), { numRuns: 60, seed: 3 })
  })
})
