import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Schedule, Stream } from "effect"
import { ConnectionLost } from "../../src/index.js"
import { connect, eventually, reconnected } from "./kit.js"

describe("Home Assistant subscriptions", () => {
  it.scoped("subscribeEvents delivers state_changed events caused by a service call", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* Effect.fork(ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runCollect))
      yield* eventually(() => sim.count("subscribe_events") === 1, "subscribe_events")
      yield* ha.callService("switch", "turn_on", undefined, { entity_id: "switch.coffee_maker" })
      const [event] = Chunk.toReadonlyArray(yield* Fiber.join(events))
      expect(event?.event_type).toBe("state_changed")
      expect(event?.data).toMatchObject({
        entity_id: "switch.coffee_maker",
        old_state: { state: "off" },
        new_state: { state: "on" }
      })
      expect(sim.received.find((r) => r.message.type === "subscribe_events")?.message).toMatchObject({
        event_type: "state_changed"
      })
    }))

  it.scoped("ending the stream sends unsubscribe_events for its subscription, and its events stop", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* ha.subscribeEvents().pipe(Stream.take(1), Stream.runDrain, Effect.fork)
      yield* eventually(() => sim.count("subscribe_events") === 1, "subscribe_events")
      yield* sim.fireEvent("custom_event", { n: 1 })
      yield* eventually(() => sim.count("unsubscribe_events") === 1, "unsubscribe_events")
      const subscribe = sim.received.find((r) => r.message.type === "subscribe_events")?.message
      const unsubscribe = sim.received.find((r) => r.message.type === "unsubscribe_events")?.message
      expect(unsubscribe?.subscription).toBe(subscribe?.id)
      yield* eventually(() => sim.subscriptionCount === 0, "the server to drop the subscription")
    }))

  it.scoped("a subscribe result and the first event in one coalesced frame are both handled", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.emitOnNextSubscribe("first_event", { hello: "batch" })
      const [event] = Chunk.toReadonlyArray(yield* ha.subscribeEvents("first_event").pipe(Stream.take(1), Stream.runCollect))
      expect(event).toMatchObject({ event_type: "first_event", data: { hello: "batch" } })
    }))

  it.scoped("a call_service result and the state_changed it causes arrive in one frame and are both handled", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* Effect.fork(ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runCollect))
      yield* eventually(() => sim.count("subscribe_events") === 1, "subscribe_events")
      const result = yield* ha.callService("light", "toggle", undefined, { entity_id: "light.kitchen" })
      const [event] = Chunk.toReadonlyArray(yield* Fiber.join(events))
      expect(event?.context).toStrictEqual(result.context)
    }))

  it.scoped("generic subscribeMessage streams the events of any subscription command", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* Effect.fork(
        ha.subscribeMessage({ type: "subscribe_events", event_type: "doorbell" }).pipe(Stream.take(2), Stream.runCollect)
      )
      yield* eventually(() => sim.count("subscribe_events") === 1, "subscribe_events")
      yield* sim.fireEvent("doorbell", { ring: 1 })
      yield* sim.fireEvent("doorbell", { ring: 2 })
      const got = Chunk.toReadonlyArray(yield* Fiber.join(events)) as ReadonlyArray<{ data: unknown }>
      expect(got.map((e) => e.data)).toStrictEqual([{ ring: 1 }, { ring: 2 }])
    }))

  it.scoped("a subscription the server refuses fails its stream with the HA error", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const error = yield* Effect.flip(Stream.runDrain(ha.subscribeMessage({ type: "subscribe_nonsense" })))
      expect(error).toMatchObject({ _tag: "HomeAssistantError", code: "unknown_command" })
    }))

  it.scoped("subscribeMessage with resubscribe: false fails with ConnectionLost at a drop, and is not sent again", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const once = yield* Effect.fork(Stream.runDrain(ha.subscribeMessage({ type: "subscribe_events", event_type: "doorbell" }, { resubscribe: false })))
      yield* eventually(() => sim.count("subscribe_events") === 1, "the subscription")
      yield* sim.dropAll
      expect(yield* Fiber.await(once)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "subscribe_events" })))
      yield* reconnected(ha, sim, 2)
      yield* ha.ping()
      expect(sim.count("subscribe_events")).toBe(1)
    }))

  it.scoped("subscribeMessage rebuilds a message given as a function on each connection, from its haVersion", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("10 millis") })
      const events = yield* Effect.fork(
        Stream.runDrain(ha.subscribeMessage(({ haVersion }) => ({ type: "subscribe_events", event_type: `seen_${haVersion.split(".")[0]}` })))
      )
      yield* eventually(() => sim.count("subscribe_events") === 1, "the first subscription")
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      yield* eventually(() => sim.count("subscribe_events") === 2, "the subscription on the new connection")
      expect(sim.received.filter((r) => r.message.type === "subscribe_events").map((r) => r.message.event_type))
        .toStrictEqual(["seen_2026", "seen_2026"])
      yield* Fiber.interrupt(events)
    }))
})
