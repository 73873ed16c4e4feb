// Bad input to the test kit (the simulator's controls, the scriptable server's peer), as untyped JavaScript can pass
// it: a typed error naming the control and argument, never a defect, and nothing is changed or sent.
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc } from "effect"
import { InvalidMessage, InvalidOption } from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { connected, run } from "../core/kit.js"

const anything = fc.oneof(
  fc.anything(),
  fc.constantFrom(undefined, null, "", "soon", "light.kitchen", "Light.Kitchen", "light.", -1, Number.NaN, 200, {}, [], true)
)

const controls: ReadonlyArray<readonly [string, (sim: HomeAssistantSimulator, a: ReadonlyArray<unknown>) => Effect.Effect<void, InvalidOption>]> = [
  ["setReplyDelay", (sim, a) => sim.setReplyDelay(a[0] as never)],
  ["setAccessToken", (sim, a) => sim.setAccessToken(a[0] as never)],
  ["setAnswerAuth", (sim, a) => sim.setAnswerAuth(a[0] as never)],
  ["setAnswerPings", (sim, a) => sim.setAnswerPings(a[0] as never)],
  ["emitOnNextSubscribe", (sim, a) => sim.emitOnNextSubscribe(a[0] as never, a[1] as never)],
  ["setState", (sim, a) => sim.setState(a[0] as never, a[1] as never, a[2] as never)],
  ["removeEntity", (sim, a) => sim.removeEntity(a[0] as never)],
  ["updateConfig", (sim, a) => sim.updateConfig(a[0] as never)],
  ["addArea", (sim, a) => sim.addArea(a[0] as never, a[1] as never)],
  ["registerService", (sim, a) => sim.registerService(a[0] as never, a[1] as never)],
  ["fireEvent", (sim, a) => sim.fireEvent(a[0] as never, a[1] as never)],
  ["setTokenEndpointStatus", (sim, a) => sim.setTokenEndpointStatus(a[0] as never)]
]

describe("the simulator's controls and bad input", () => {
  it.scoped("property: 100 random argument lists to every control succeed or fail with InvalidOption naming it", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make()
      const cases = fc.sample(fc.array(anything, { maxLength: 3 }), { numRuns: 100, seed: 21 })
      for (const [name, control] of controls) {
        for (const args of cases) {
          const exit = yield* Effect.exit(Effect.suspend(() => control(sim, args)))
          if (Exit.isFailure(exit)) {
            const error = Cause.failureOption(exit.cause)
            expect(error._tag === "Some" && error.value, `${name}(${String(args)}): ${Cause.pretty(exit.cause)}`)
              .toBeInstanceOf(InvalidOption)
            expect(error._tag === "Some" && error.value.option).toMatch(new RegExp(`^${name}\\.`))
          }
        }
      }
      // Still a working home: every entity id it holds is one HA could have.
      for (const entity of sim.states) expect(entity.entity_id).toMatch(/^[a-z0-9_]+\.[a-z0-9_]+$/)
    }))

  it.scoped("setState takes what HA core takes: a valid entity id and a state of at most 255 characters", () =>
    Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make()
      const before = sim.states
      for (const [entityId, option] of [["kitchen", "setState.entityId"], ["Light.kitchen", "setState.entityId"], ["light.__x", "setState.entityId"]] as const) {
        const error = yield* Effect.flip(sim.setState(entityId, "on"))
        expect(error).toStrictEqual(new InvalidOption({ option, reason: "expected an entity id such as light.kitchen (lowercase domain.object_id)" }))
      }
      const long = yield* Effect.flip(sim.setState("sensor.note", "x".repeat(256)))
      expect(long.reason).toBe("Home Assistant states are at most 255 characters")
      const attributes = yield* Effect.flip(sim.setState("sensor.note", "ok", [] as never))
      expect(attributes.option).toBe("setState.attributes")
      expect(sim.states).toStrictEqual(before)
      yield* sim.setState("sensor.note", "x".repeat(255), { unit: "chars" })
      expect(sim.states.find((s) => s.entity_id === "sensor.note")?.state).toHaveLength(255)
    }))

  it.scoped("make: a bad option is InvalidOption naming it, found before anything listens", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(HomeAssistantSimulator.make({ authTimeout: "soon" as never }))).toMatchObject({ option: "authTimeout" })
      expect(yield* Effect.flip(HomeAssistantSimulator.make({ accessTokenLifetime: -1 }))).toMatchObject({ option: "accessTokenLifetime" })
      expect(yield* Effect.flip(HomeAssistantSimulator.make({ accessToken: 5 as never }))).toMatchObject({ option: "accessToken" })
      expect(yield* Effect.flip(HomeAssistantSimulator.make(null as never))).toMatchObject({ option: "options" })
    }))
})

describe("the scriptable server's peer and bad input", () => {
  it.effect("push refuses what JSON would drop or mangle, pushBinary anything but bytes; nothing reaches the client", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      for (const bad of [10n, undefined, Number.NaN, () => 1, new Date(0), new Uint8Array([1])]) {
        expect(yield* Effect.flip(peer.push(bad))).toBeInstanceOf(InvalidMessage)
      }
      const cycle: Record<string, unknown> = {}
      cycle.self = cycle
      expect(yield* Effect.flip(peer.push(cycle))).toStrictEqual(new InvalidMessage({ reason: "the object contains a cycle" }))
      expect(yield* Effect.flip(peer.pushBinary("bytes" as never))).toStrictEqual(new InvalidMessage({ reason: "pushBinary takes a Uint8Array" }))
      yield* peer.push({ ok: 1 })
      yield* peer.push(7)
      expect(yield* client.receive(connection)).toStrictEqual({ ok: 1 })
      expect(yield* client.receive(connection)).toBe("7")
      yield* client.send(connection, "not json")
      expect(yield* Effect.flip(peer.receiveJson)).toStrictEqual(new InvalidMessage({ reason: "the client's frame is not JSON" }))
    })))
})
