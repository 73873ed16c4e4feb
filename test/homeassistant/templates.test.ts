// render_template and subscribe_trigger as typed Streams, against the simulator's documented subset.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue, Stream } from "effect"
import { TemplateError } from "../../src/index.js"
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
})
