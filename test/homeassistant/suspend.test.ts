// suspend / resume: a clean close, no reconnect while suspended, waiting commands, everything restored on resume.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import { connect, eventually, reconnected } from "./kit.js"

describe("Home Assistant suspend and resume", () => {
  it.scoped("suspend closes with 1000 and holds reconnecting; commands wait; resume restores subscriptions", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const doorbell = yield* Effect.fork(ha.subscribeEvents("doorbell").pipe(Stream.take(1), Stream.runCollect))
      yield* eventually(() => sim.count("subscribe_events") === 1, "the subscription")
      yield* ha.suspend
      expect(yield* ha.connectionState).toBe("suspended")
      yield* eventually(() => sim.closes.length === 1, "the close")
      expect(sim.closes).toStrictEqual([{ connection: 1, code: 1000, reason: "" }])

      const states = yield* Effect.fork(ha.getStates({ timeout: "5 minutes" }))
      yield* TestClock.adjust("2 minutes") // well past any reconnect delay
      expect(sim.acceptedCount).toBe(1)
      expect(sim.count("get_states")).toBe(0)
      yield* ha.suspend // idempotent

      yield* ha.resume
      yield* reconnected(ha, sim, 2)
      expect((yield* Fiber.join(states)).length).toBeGreaterThan(0)
      yield* eventually(() => sim.subscriptionCount === 1, "the subscription restored")
      yield* sim.fireEvent("doorbell", { ring: 1 })
      expect(Chunk.toReadonlyArray(yield* Fiber.join(doorbell)).map((e) => e.data)).toStrictEqual([{ ring: 1 }])
    }))

  it.scoped("a command issued while suspended is still bounded by its own timeout", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      yield* ha.suspend
      const ping = yield* Effect.fork(ha.ping({ timeout: "3 seconds" }))
      yield* TestClock.adjust("3 seconds")
      expect((yield* Fiber.await(ping))._tag).toBe("Failure")
    }))
})
