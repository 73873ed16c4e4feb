import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, Schedule, Stream, TestClock } from "effect"
import { ConnectionLost, Disconnected } from "../../src/index.js"
import { connect, eventually, reachState, reconnected, TOKEN } from "./kit.js"

describe("Home Assistant reconnect", () => {
  it.scoped("after a drop the client reconnects, re-subscribes once per live subscription, and streams continue", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const doorbell = yield* Effect.fork(ha.subscribeEvents("doorbell").pipe(Stream.take(2), Stream.runCollect))
      const lights = yield* Effect.fork(ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runCollect))
      yield* eventually(() => sim.count("subscribe_events") === 2, "two subscriptions")
      yield* sim.fireEvent("doorbell", { ring: "before" })
      const states = yield* Effect.fork(ha.connectionStates.pipe(Stream.take(3), Stream.runCollect))
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      expect(Chunk.toReadonlyArray(yield* Fiber.join(states))).toStrictEqual(["connected", "reconnecting", "connected"])
      yield* eventually(() => sim.subscriptionCount === 2, "re-subscription")
      expect(sim.count("subscribe_events")).toBe(4)
      expect(sim.acceptedCount).toBe(2)
      // the second connection re-sent supported_features and both subscriptions, each exactly once
      const second = sim.received.filter((r) => r.connection === 2).map((r) => r.message.type)
      expect(second).toStrictEqual(["supported_features", "subscribe_events", "subscribe_events"])
      yield* sim.fireEvent("doorbell", { ring: "after" })
      yield* ha.callService("light", "turn_on", undefined, { entity_id: "light.living_room" })
      const rings = Chunk.toReadonlyArray(yield* Fiber.join(doorbell)).map((e) => e.data)
      expect(rings).toStrictEqual([{ ring: "before" }, { ring: "after" }])
      expect(Chunk.toReadonlyArray(yield* Fiber.join(lights))[0]?.data).toMatchObject({ entity_id: "light.living_room" })
    }))

  it.scoped("a subscribe command lost with its connection is made again on the next, and the stream works", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setReplyDelay(Duration.infinity)
      const events = yield* Effect.fork(ha.subscribeEvents("doorbell").pipe(Stream.take(1), Stream.runCollect))
      yield* eventually(() => sim.count("subscribe_events") === 1, "the first subscribe")
      yield* sim.setReplyDelay(Duration.zero)
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      yield* eventually(() => sim.subscriptionCount === 1, "the subscription on the new connection")
      yield* sim.fireEvent("doorbell", { ring: 1 })
      expect(Chunk.toReadonlyArray(yield* Fiber.join(events)).map((e) => e.data)).toStrictEqual([{ ring: 1 }])
      expect(sim.count("subscribe_events")).toBe(2)
    }))

  it.scoped("a call_service in flight during the drop fails with ConnectionLost and is never re-sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setReplyDelay(Duration.infinity)
      const call = yield* Effect.fork(ha.callService("switch", "toggle", undefined, { entity_id: "switch.coffee_maker" }))
      yield* eventually(() => sim.count("call_service") === 1, "the call to reach the server")
      yield* sim.setReplyDelay(Duration.zero)
      yield* sim.dropAll
      expect(yield* Fiber.await(call)).toStrictEqual(Exit.fail(new ConnectionLost({ command: "call_service" })))
      yield* reconnected(ha, sim, 2)
      yield* ha.getStates()
      expect(sim.count("call_service")).toBe(1)
    }))

  it.scoped("commands issued while reconnecting wait for the new connection and are sent once", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("5 seconds") })
      yield* sim.goOffline
      yield* eventually(() => sim.connectionCount === 0, "the drop")
      yield* reachState(ha, "reconnecting")
      const states = yield* Effect.fork(ha.getStates())
      yield* sim.goOnline
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(states)).toHaveLength(6)
      expect(sim.count("get_states")).toBe(1)
      expect(yield* ha.connectionState).toBe("connected")
    }))

  it.scoped("a waiting command is still bounded by its own timeout", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("1 minute") })
      yield* sim.goOffline
      yield* eventually(() => sim.connectionCount === 0, "the drop")
      yield* reachState(ha, "reconnecting")
      const states = yield* Effect.fork(ha.getStates({ timeout: "3 seconds" }))
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.await(states)).toMatchObject({ _tag: "Failure" })
      expect(sim.count("get_states")).toBe(0)
    }))

  it.scoped("a token rejected on reconnect stops reconnecting and closes the client", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      yield* sim.setAccessToken("rotated")
      yield* sim.dropAll
      yield* reachState(ha, "closed")
      const accepted = sim.acceptedCount
      yield* TestClock.adjust("1 hour")
      expect(sim.acceptedCount).toBe(accepted)
      expect(yield* Effect.flip(ha.getStates())).toStrictEqual(
        new Disconnected({ reason: "Home Assistant rejected the access token" })
      )
    }))

  it.scoped("a token source that yields no token on reconnect stops reconnecting and closes the client", () =>
    Effect.gen(function*() {
      let calls = 0
      const source = Effect.sync(() => ++calls === 1 ? TOKEN : (5 as unknown as string))
      const { ha, sim } = yield* connect({ accessToken: source })
      yield* sim.dropAll
      yield* reachState(ha, "closed")
      const accepted = sim.acceptedCount
      yield* TestClock.adjust("1 hour")
      expect(sim.acceptedCount).toBe(accepted)
      expect(calls).toBe(2)
      expect(yield* Effect.flip(ha.getStates())).toStrictEqual(
        new Disconnected({ reason: "the access token source yielded no token" })
      )
    }))

  it.scoped("the heartbeat detects a silent server and reconnects", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ heartbeat: { interval: "30 seconds", timeout: "10 seconds" } })
      yield* TestClock.adjust("30 seconds")
      yield* eventually(() => sim.count("ping") === 1, "the first ping")
      expect(yield* ha.connectionState).toBe("connected")
      yield* sim.setAnswerPings(false)
      yield* TestClock.adjust("30 seconds")
      yield* eventually(() => sim.count("ping") === 2, "the second ping")
      yield* TestClock.adjust("9 seconds")
      expect(yield* ha.connectionState).toBe("connected")
      yield* sim.setAnswerPings(true)
      yield* TestClock.adjust("1 second")
      yield* reconnected(ha, sim, 2)
    }))

  it.scoped("the heartbeat can be turned off", () =>
    Effect.gen(function*() {
      const { sim } = yield* connect({ heartbeat: false })
      yield* TestClock.adjust("10 minutes")
      expect(sim.count("ping")).toBe(0)
    }))
})
