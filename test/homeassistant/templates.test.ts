// render_template and subscribe_trigger as typed Streams, against the simulator's documented subset.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, Schedule, Stream, TestClock } from "effect"
import { InvalidMessage, TemplateError } from "../../src/index.js"
import { collect, connect, eventually, reconnected } from "./kit.js"


describe("Home Assistant typed subscriptions", () => {
  it.scoped("renderTemplate renders, and renders again when an entity it reads changes (only then)", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const renderings = yield* collect(ha.renderTemplate("Kitchen is {{ states('light.kitchen') }}"))
      expect(yield* Queue.take(renderings)).toStrictEqual({
        result: "Kitchen is on",
        listeners: { all: false, domains: [], entities: ["light.kitchen"], time: false }
      })
      expect(sim.received.find((r) => r.message.type === "render_template")?.message).toMatchObject({ report_errors: true })
      yield* sim.setState("switch.coffee_maker", "on")
      yield* sim.setState("light.kitchen", "off")
      expect((yield* Queue.take(renderings)).result).toBe("Kitchen is off")
      expect(yield* Queue.size(renderings)).toBe(0)
    }))

  it.scoped("a template HA cannot render is a TemplateError", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const error = yield* Effect.flip(ha.renderTemplate("{{ now() }}").pipe(Stream.runHead))
      expect(error).toStrictEqual(new TemplateError({ reason: "TemplateSyntaxError: 'now()' is not supported by the simulator" }))
    }))

  it.scoped("renderTemplate refuses a template or options of the wrong kind with InvalidMessage, sending nothing", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const before = sim.received.length
      const calls: Array<readonly [unknown, unknown]> = [[5, undefined], ["x", null], ["x", { entityIds: "light.kitchen" }], [
        "x",
        { timeout: "10" }
      ], ["x", { variables: [] }]]
      for (const [template, options] of calls) {
        const error = yield* Effect.flip(Stream.runHead(ha.renderTemplate(template as never, options as never)))
        expect(error).toBeInstanceOf(InvalidMessage)
        expect((error as InvalidMessage).reason).toMatch(/^renderTemplate: /)
      }
      expect(sim.received.length).toBe(before)
    }))

  it.scoped("subscribeTrigger fires on a matching state change, and still fires after a reconnect", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const firings = yield* collect(ha.subscribeTrigger({ platform: "state", entity_id: "switch.coffee_maker", to: "on" }))
      yield* eventually(() => sim.count("subscribe_trigger") === 1, "the trigger subscription")
      yield* ha.callService("switch", "turn_on", undefined, { entity_id: "switch.coffee_maker" })
      const first = yield* Queue.take(firings)
      expect(first.variables).toMatchObject({ trigger: { platform: "state", entity_id: "switch.coffee_maker", to_state: { state: "on" } } })
      yield* sim.dropAll
      yield* reconnected(ha, sim, 2)
      yield* eventually(() => sim.count("subscribe_trigger") === 2, "the trigger re-subscribed")
      yield* sim.setState("switch.coffee_maker", "off")
      yield* sim.setState("switch.coffee_maker", "on")
      expect((yield* Queue.take(firings)).variables).toMatchObject({ trigger: { from_state: { state: "off" }, to_state: { state: "on" } } })
      expect(yield* Queue.size(firings)).toBe(0)
    }))

  it.scoped("after a reconnect to an HA still starting, triggers fire once it runs (HAWS #555: they went silent)", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect({ reconnect: Schedule.spaced("1 second") })
      const trigger = { platform: "state", entity_id: "switch.coffee_maker", to: "on" }
      const ours = yield* collect(ha.subscribeTrigger(trigger))
      // What HAWS does: the same message, re-sent on reconnect and nothing more.
      const plain = yield* collect(ha.subscribeMessage({ type: "subscribe_trigger", trigger }))
      yield* eventually(() => sim.count("subscribe_trigger") === 2, "both trigger subscriptions")
      yield* sim.restartStarting
      yield* TestClock.adjust("1 second")
      yield* reconnected(ha, sim, 2)
      yield* eventually(() => sim.count("subscribe_trigger") === 4, "both re-subscribed while HA starts")
      yield* sim.setState("switch.coffee_maker", "on") // HA is starting: neither fires, as in HA
      yield* sim.setState("switch.coffee_maker", "off")
      yield* sim.finishStarting
      yield* eventually(() => sim.count("subscribe_trigger") === 5 && sim.count("unsubscribe_events") === 1, "ours made again")
      yield* sim.setState("switch.coffee_maker", "on")
      expect((yield* Queue.take(ours)).variables).toMatchObject({ trigger: { to_state: { state: "on" } } })
      expect(yield* Queue.size(plain)).toBe(0) // the HAWS way stays silent
      expect(sim.subscriptionCount).toBe(3) // ours, the plain one, and the homeassistant_started listener
    }))
})
