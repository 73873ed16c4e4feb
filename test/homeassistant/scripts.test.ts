// The script operations against the simulator: execute_script, fire_event, validate_config and test_condition,
// decoded with Schema (extra fields kept); a reply of the wrong shape is an InvalidMessage naming the command, and an
// argument of the wrong kind is an InvalidMessage with nothing sent.
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Option, Queue } from "effect"
import { type CommandError, HomeAssistantError, InvalidMessage } from "../../src/index.js"
import { collect, connect, eventually, minimalHa } from "./kit.js"

const stateOf = (sim: { readonly states: ReadonlyArray<{ entity_id: string; state: string }> }, entityId: string) =>
  sim.states.find((s) => s.entity_id === entityId)?.state

describe("executeScript", () => {
  it.scoped("runs service calls over the home: states change, state_changed reaches subscribers with the run's context", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const changes = yield* collect(ha.subscribeEvents("state_changed"))
      yield* eventually(() => sim.count("subscribe_events") === 1, "the subscription")
      const run = yield* ha.executeScript([
        { action: "light.turn_on", target: { entity_id: "light.bedroom" }, data: { brightness: 90 } },
        { service: "switch.turn_on", target: { entity_id: "switch.coffee_maker" } }
      ])
      expect(run.response).toBeNull()
      expect(run.context).toMatchObject({ parent_id: null, user_id: "simulated-user" })
      expect(stateOf(sim, "light.bedroom")).toBe("on")
      expect(stateOf(sim, "switch.coffee_maker")).toBe("on")
      const first = yield* Queue.take(changes)
      const second = yield* Queue.take(changes)
      expect([first.data.entity_id, second.data.entity_id]).toStrictEqual(["light.bedroom", "switch.coffee_maker"])
      expect(first.context).toStrictEqual(run.context)
      expect(sim.received.at(-1)?.message).toMatchObject({ type: "execute_script", sequence: [{ action: "light.turn_on" }, {}] })
    }))

  it.scoped("variables, a service response and stop's response_variable: the script's response comes back", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const run = yield* ha.executeScript([
        { action: "weather.get_forecasts", target: { entity_id: "weather.home" }, data: { type: "hourly" }, response_variable: "forecasts" },
        { variables: { answer: { for: "{{ who }}", forecast: "{{ forecasts['weather.home'].forecast }}" } } },
        { stop: "done", response_variable: "answer" },
        { action: "light.turn_off", target: { entity_id: "light.kitchen" } }
      ], { who: "Ada" })
      expect(run.response).toStrictEqual({ for: "Ada", forecast: [{ condition: "cloudy", temperature: 12 }] })
    }))

  it.scoped("an event step is delivered to subscribe_events subscribers; a false condition step ends the run", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* collect(ha.subscribeEvents("doorbell_pressed"))
      yield* eventually(() => sim.count("subscribe_events") === 1, "the subscription")
      const run = yield* ha.executeScript([
        { event: "doorbell_pressed", event_data: { door: "{{ door }}" } },
        { condition: "state", entity_id: "light.kitchen", state: "off" },
        { action: "light.turn_off", target: { entity_id: "light.kitchen" } }
      ], { door: "front" })
      const event = yield* Queue.take(events)
      expect(event).toMatchObject({ event_type: "doorbell_pressed", data: { door: "front" }, context: run.context })
      expect(stateOf(sim, "light.kitchen")).toBe("on")
    }))

  it.scoped("HA's errors: an action it cannot determine runs nothing; an unknown service; stop with error", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const unknown = yield* Effect.flip(ha.executeScript([
        { action: "light.turn_off", target: { entity_id: "light.kitchen" } },
        { frobnicate: true }
      ]))
      expect(unknown).toStrictEqual(
        new HomeAssistantError({ code: "invalid_format", message: "Unable to determine action @ data['sequence'][1]" })
      )
      expect(stateOf(sim, "light.kitchen")).toBe("on")
      expect(yield* Effect.flip(ha.executeScript({ action: "light.fly" }))).toMatchObject({
        _tag: "HomeAssistantError",
        code: "service_validation_error",
        message: "Action light.fly not found.",
        translationKey: "service_not_found"
      })
      expect(yield* Effect.flip(ha.executeScript({ stop: "no coffee today", error: true }))).toStrictEqual(
        new HomeAssistantError({ code: "home_assistant_error", message: "no coffee today" })
      )
    }))

  it.scoped("before HA 2023.7 the result has no response; it decodes all the same", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({}, { haVersion: "2023.6.3" })
      const run = yield* ha.executeScript({ stop: "done", response_variable: "nothing" })
      expect(run.context.user_id).toBe("simulated-user")
      expect("response" in run).toBe(false)
    }))
})

describe("releases", () => {
  it.scoped("a release before fire_event (2022.2) and validate_config (2022.3) answers them with unknown_command", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({}, { haVersion: "2022.1.9" })
      const unknown = new HomeAssistantError({ code: "unknown_command", message: "Unknown command." })
      expect(yield* Effect.flip(ha.fireEvent("x"))).toStrictEqual(unknown)
      expect(yield* Effect.flip(ha.validateConfig({ action: [] }))).toStrictEqual(unknown)
      expect((yield* ha.testCondition({ condition: "state", entity_id: "light.kitchen", state: "on" })).result).toBe(true)
      expect("response" in (yield* ha.executeScript({ stop: "done" }))).toBe(false)
    }))
})

describe("fireEvent", () => {
  it.scoped("fires once, delivered to subscribers with its data and the context the result carries", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const events = yield* collect(ha.subscribeEvents())
      yield* eventually(() => sim.count("subscribe_events") === 1, "the subscription")
      const fired = yield* ha.fireEvent("coffee_ready", { cups: 2 })
      const event = yield* Queue.take(events)
      expect(event).toMatchObject({ event_type: "coffee_ready", data: { cups: 2 }, origin: "LOCAL" })
      expect(event.context).toStrictEqual(fired.context)
      expect(sim.count("fire_event")).toBe(1)
      expect(sim.received.at(-1)?.message).toStrictEqual({ type: "fire_event", event_type: "coffee_ready", event_data: { cups: 2 }, id: 3 })
      // Without data, no event_data key is sent.
      yield* ha.fireEvent("bare")
      expect(sim.received.at(-1)?.message).toStrictEqual({ type: "fire_event", event_type: "bare", id: 4 })
    }))
})

describe("validateConfig", () => {
  it.scoped("HA's verdict on each part sent, and only those", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const verdicts = yield* ha.validateConfig({
        trigger: [{ trigger: "state", entity_id: "light.kitchen", to: "on" }, { platform: "event", event_type: "x" }],
        condition: { condition: "sunny" },
        action: [{ action: "light.turn_on" }, { wait: 5 }]
      })
      expect(verdicts).toStrictEqual({
        trigger: { valid: true, error: null },
        condition: {
          valid: false,
          error: "Unexpected value for condition: 'sunny'. Expected and, device, not, numeric_state, or, state, sun, template, time, trigger, or zone @ data"
        },
        action: { valid: false, error: "Unable to determine action @ data[1]" }
      })
      expect(yield* ha.validateConfig({ trigger: { platform: "teleport" } })).toStrictEqual({
        trigger: { valid: false, error: "Invalid trigger 'teleport' specified" }
      })
    }))

  it.scoped("a key HA does not know is InvalidMessage naming it, and nothing is sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const error = yield* Effect.flip(ha.validateConfig({ triggers: [] } as never))
      expect(error).toBeInstanceOf(InvalidMessage)
      expect((error as InvalidMessage).reason).toMatch(/^validateConfig: [\s\S]*"triggers"[\s\S]*is unexpected/)
      expect(sim.count("validate_config")).toBe(0)
    }))
})

describe("testCondition", () => {
  it.scoped.each([
    { name: "state, true", condition: { condition: "state", entity_id: "light.kitchen", state: "on" }, result: true },
    { name: "state of an attribute", condition: { condition: "state", entity_id: "light.kitchen", attribute: "brightness", state: "180" }, result: true },
    { name: "state, false", condition: { condition: "state", entity_id: ["light.kitchen", "light.bedroom"], state: "on" }, result: false },
    { name: "numeric_state in range", condition: { condition: "numeric_state", entity_id: "sensor.outdoor_temperature", above: 10, below: 12 }, result: true },
    { name: "numeric_state of a non-number", condition: { condition: "numeric_state", entity_id: "light.kitchen", above: 0 }, result: false },
    { name: "template is_state", condition: { condition: "template", value_template: "{{ is_state('switch.coffee_maker', 'off') }}" }, result: true },
    { name: "template shorthand", condition: "{{ states('light.kitchen') }}", result: true },
    { name: "or / not", condition: { condition: "or", conditions: [{ condition: "not", conditions: [{ condition: "state", entity_id: "light.kitchen", state: "on" }] }, { condition: "template", value_template: "{{ home }}" }] }, result: true }
  ])("$name", ({ condition, result }) =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      expect(yield* ha.testCondition(condition, { home: true })).toStrictEqual({ result })
    }))

  it.scoped("a condition HA cannot read is HA's invalid_format; a template it cannot render, home_assistant_error", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      expect(yield* Effect.flip(ha.testCondition({ condition: "numeric_state", entity_id: "sensor.outdoor_temperature" }))).toStrictEqual(
        new HomeAssistantError({ code: "invalid_format", message: "must contain at least one of below, above. @ data['condition']" })
      )
      expect(yield* Effect.flip(ha.testCondition("{{ now() }}"))).toMatchObject({ _tag: "HomeAssistantError", code: "home_assistant_error" })
    }))
})

describe("arguments and replies", () => {
  it.scoped("arguments of the wrong kind are InvalidMessage naming the call, and nothing is sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const refusals: ReadonlyArray<Effect.Effect<unknown, CommandError>> = [
        ha.executeScript(42 as never),
        ha.executeScript([{ action: "light.turn_on" }, "x"] as never),
        ha.executeScript({ action: "light.turn_on" }, new Date() as never),
        ha.fireEvent(undefined as never),
        ha.fireEvent("x", [1] as never),
        ha.validateConfig(null as never),
        ha.testCondition(7 as never)
      ]
      const reasons = yield* Effect.forEach(refusals, (refused) => Effect.map(Effect.flip(refused), (e) => (e as InvalidMessage).reason))
      expect(reasons.map((reason) => reason.split(":")[0])).toStrictEqual([
        "executeScript",
        "executeScript",
        "executeScript",
        "fireEvent",
        "fireEvent",
        "validateConfig",
        "testCondition"
      ])
      expect(sim.received.filter((c) => c.message.type !== "supported_features")).toStrictEqual([])
    }))

  it.scoped("unknown extra fields of a reply are kept", () =>
    Effect.gen(function*() {
      const ha = yield* clientOf(() => ({ context: { id: "c", parent_id: null, user_id: null, origin: "x" }, response: null, took: 3 }))
      expect(yield* ha.executeScript({ stop: "done" })).toStrictEqual({
        context: { id: "c", parent_id: null, user_id: null, origin: "x" },
        response: null,
        took: 3
      })
    }))

  it.scoped("a reply of the wrong shape is an InvalidMessage naming the command", () =>
    Effect.gen(function*() {
      const wrong: Record<string, unknown> = {
        execute_script: { context: "none" },
        fire_event: {},
        validate_config: { trigger: { valid: "yes", error: null } },
        test_condition: { result: "true" }
      }
      const ha = yield* clientOf((type) => wrong[type])
      const failures: ReadonlyArray<Effect.Effect<unknown, CommandError>> = [
        ha.executeScript({ stop: "done" }),
        ha.fireEvent("x"),
        ha.validateConfig({ trigger: [] }),
        ha.testCondition("{{ true }}")
      ]
      const messages = yield* Effect.forEach(failures, (failure) => Effect.map(Effect.flip(failure), (e) => e))
      for (const [i, command] of ["execute_script", "fire_event", "validate_config", "test_condition"].entries()) {
        expect(messages[i]).toBeInstanceOf(InvalidMessage)
        expect(messages[i]?.message).toContain(`the result of ${command} does not match its schema`)
      }
    }))
})

describe("the simulator's script commands", () => {
  const key = fc.constantFrom(
    "action", "service", "target", "data", "variables", "event", "event_data", "stop", "response_variable", "error",
    "condition", "conditions", "entity_id", "state", "attribute", "above", "below", "value_template", "trigger", "platform", "event_type"
  )
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom("light.kitchen", "light.turn_on", "weather.get_forecasts", "state", "numeric_state", "and", "not", "template", "{{ x }}", "{{ states('light.kitchen') }}")
  )
  const part = fc.oneof(fc.dictionary(key, value, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 1 }))

  it.scopedLive("property: 200 random scripts, conditions and configs each get HA's answer or a typed error, never a crash or a hang", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect({ heartbeat: false })
      const cases = fc.sample(fc.tuple(fc.nat(3), fc.oneof(part, fc.array(part, { maxLength: 3 })), part), { numRuns: 200, seed: 30 })
      const outcomes = new Set<string>()
      for (const [op, first, second] of cases) {
        const call = ([
          () => ha.executeScript(first as never, second as never),
          () => ha.testCondition(first as never, second as never),
          () => ha.validateConfig({ trigger: first, condition: second, action: first } as never),
          () => ha.fireEvent(String(first), second as never)
        ] as ReadonlyArray<() => Effect.Effect<unknown, CommandError>>)[op]!
        const exit = yield* Effect.exit(Effect.suspend(call).pipe(Effect.timeoutFail({ duration: "1 second", onTimeout: () => ({ _tag: "no answer" }) })))
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        const tag = Exit.isSuccess(exit) ? "ok" : Option.isSome(failure) ? String((failure.value as { _tag: unknown })._tag) : "defect"
        expect(["ok", "HomeAssistantError", "InvalidMessage"], `operation ${op}: ${String(exit)}`).toContain(tag)
        outcomes.add(tag)
      }
      expect([...outcomes].sort()).toStrictEqual(["HomeAssistantError", "InvalidMessage", "ok"])
    }), 60_000)
})

/** A client on a minimal HA server of the test's own: the simulator only ever answers well. */
const clientOf = (reply: (type: string) => unknown) =>
  minimalHa(({ id, type }) => [{ id, type: "result", success: true, result: reply(type) }])
