// The Home Assistant examples of README.md and src/homeassistant/README.md, run against the simulator (only the URL
// and token differ).
import { expect, it } from "@effect/vitest"
import { Effect, Logger, Stream } from "effect"
import { HomeAssistant, HomeAssistantLive } from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

it.live("README: the Home Assistant example", () =>
  Effect.gen(function*() {
    const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
    // events to receive: one every 10 ms of real time, stopped with the scope
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep("10 millis"), sim.fireEvent("state_changed", {}))))
    const program = Effect.gen(function*() {
      const ha = yield* HomeAssistant
      const lights = (yield* ha.getStates()).filter((s) => s.entity_id.startsWith("light."))
      yield* ha.callService("light", "turn_on", { brightness: 200 }, { entity_id: "light.kitchen" })
      // A Stream: re-subscribed after every reconnect; ending it sends unsubscribe_events.
      yield* ha.subscribeEvents("state_changed").pipe(Stream.take(5), Stream.runForEach(Effect.log))
      yield* ha.entity("light.kitchen").pipe(Stream.take(1), Stream.runForEach((light) => Effect.log(light?.state))) // live
      return lights
    })
    const lights = yield* program.pipe(Effect.provide(HomeAssistantLive({ url: sim.httpUrl, accessToken: "t" })))
    expect(lights).toHaveLength(3)
  }).pipe(Effect.scoped))

it.live("src/homeassistant/README.md: the live-state example", () =>
  Effect.gen(function*() {
    const sim = yield* HomeAssistantSimulator.make({ accessToken: "t" })
    // the kitchen light toggles every 10 ms of real time, so the entity and the trigger have changes to show
    let on = true
    const toggle = Effect.suspend(() => {
      on = !on
      return sim.setState("light.kitchen", on ? "on" : "off")
    })
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep("10 millis"), toggle)))
    const logged: Array<unknown> = []
    const dashboard = Effect.gen(function*() {
      const ha = yield* HomeAssistant
      yield* ha.entities.pipe(Stream.take(1), Stream.runForEach((all) => Effect.log(Object.keys(all).length)))
      const now = yield* ha.currentEntities // the map now, without a Stream
      yield* Effect.log(now["light.kitchen"]?.state)
      yield* ha.entity("light.kitchen").pipe(Stream.take(2), Stream.runForEach((light) => Effect.log(light?.state)))
      const some = ha.entitiesWith({
        include: { domains: ["light"], entityGlobs: ["sensor.*_temperature"] },
        exclude: { entities: ["light.bedroom"] }
      })
      yield* some.pipe(Stream.take(1), Stream.runDrain)
      const config = yield* Effect.flatten(Stream.runHead(ha.config)) // the current value
      const user = yield* Effect.flatten(Stream.runHead(ha.currentUser))
      yield* Effect.log(config.location_name, user.name)
      yield* ha.areaRegistry.pipe(Stream.take(1), Stream.runDrain)
      yield* ha.renderTemplate("{{ states('sensor.outdoor_temperature') }}").pipe(
        Stream.take(1),
        Stream.runForEach(({ result }) => Effect.log(result))
      )
      yield* ha.subscribeTrigger({ platform: "state", entity_id: "light.kitchen", to: "on" }).pipe(
        Stream.take(1),
        Stream.runForEach(({ variables }) => Effect.log(variables.trigger))
      )
      yield* ha.suspend
      yield* ha.resume
    })
    const capture = Logger.make(({ message }) => logged.push(...(Array.isArray(message) ? message : [message])))
    yield* dashboard.pipe(
      Effect.provide(HomeAssistantLive({ url: sim.httpUrl, accessToken: "t" })),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    )
    expect(logged[0]).toBe(6)
    expect(["on", "off"]).toContain(logged[1])
    expect(logged.slice(2, 4).sort()).toStrictEqual(["off", "on"])
    expect(logged.slice(4, 6)).toStrictEqual(["Simulated Home", "Simulated User"])
    expect(logged[6]).toBe("11.5")
    expect(logged[7]).toMatchObject({ platform: "state", entity_id: "light.kitchen", to_state: { state: "on" } })
    expect(sim.closes.at(-1)?.code).toBe(1000) // suspended cleanly
  }).pipe(Effect.scoped))
