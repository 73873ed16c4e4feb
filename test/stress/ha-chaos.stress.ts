// Chaos soak: 20 callers make 5,000 call_service commands through a proxy that cuts the connection 60 times at
// chosen moments (between a write and its result, mid-frame, during auth, during re-subscription), with entities
// removed while disconnected and restarts into a starting HA. The simulator's own records are the truth.
// Seeded: CHAOS_SEED=<n> replays a run.
import { isDeepStrictEqual } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Option, Schedule, Stream } from "effect"
import {
  type HassEntities,
  HomeAssistant,
  HomeAssistantLayer,
  type InvalidOption,
  WebSocketClient,
  WebSocketClientLive
} from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { eventually, handles, seededRandom, sleepMs } from "./chaosKit.js"
import { chaosProxy, type Cut } from "./chaosProxy.js"
import { heapAfterGc, mib, report } from "./figures.js"

const SEED = Number(process.env.CHAOS_SEED ?? 20261201)
const COMMANDS = 5_000
const CALLERS = 20
const CUTS = Number(process.env.CHAOS_CUTS ?? 60)
/** The stated bound on heap growth over the run (the simulator keeps every command it received: ~2 MiB of it). */
const HEAP_BOUND = 48 * 1024 * 1024
const TOKEN = "chaos-token"
const LIGHTS = ["light.kitchen", "light.bedroom", "light.living_room"]

const random = seededRandom(SEED)
const truth = (sim: HomeAssistantSimulator): HassEntities =>
  Object.fromEntries(sim.states.map(({ last_reported: _, ...state }) => [state.entity_id, state]))

describe("HA chaos soak", () => {
  it.live(`${COMMANDS} commands from ${CALLERS} callers through ${CUTS} cuts lose nothing and run nothing twice`, () =>
    Effect.gen(function*() {
      console.log(`[stress] ha-chaos: seed=${SEED} (CHAOS_SEED=${SEED} replays this run)`)
      const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN })
      const proxy = yield* chaosProxy(sim.port)
      const baselineHandles = handles()
      const heapStart = heapAfterGc()
      const started = Date.now()
      const outcomes = new Map<string, number>()
      const results = new Map<string, string>()
      const cuts = new Map<string, number>()
      const seen = { probes: [] as Array<number>, allProbes: [] as Array<number>, coffeeOn: 0, triggers: 0 }
      let store: HassEntities = {}
      const ended: Array<string> = []
      let removable = 0

      const stats = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(
          HomeAssistantLayer({
            url: `http://127.0.0.1:${proxy.port}`,
            accessToken: TOKEN,
            reconnect: Schedule.spaced("20 millis"),
            heartbeat: false,
            commandTimeout: "10 seconds"
          }).pipe(Layer.provideMerge(WebSocketClientLive))
        )
        const ha = Context.get(context, HomeAssistant)
        const connected = () => Effect.map(ha.connectionState, (state) => state === "connected")
        const live = <A>(stream: Stream.Stream<A, unknown>, f: (a: A) => void) =>
          Effect.forkScoped(Stream.runForEach(stream, (a) => Effect.sync(() => f(a))).pipe(
            Effect.onExit((exit) => Effect.sync(() => ended.push(Exit.isSuccess(exit) ? "completed" : Cause.pretty(exit.cause).split("\n")[0] ?? "")))
          ))
        // Three event subscriptions, the entity store and a trigger, live through the whole run.
        yield* live(ha.subscribeEvents("chaos_probe"), (event) => seen.probes.push(Number(event.data.n)))
        yield* live(ha.subscribeEvents(), (event) => {
          if (event.event_type === "chaos_probe") seen.allProbes.push(Number(event.data.n))
        })
        yield* live(ha.subscribeEvents("state_changed"), (event) => {
          const data = event.data as { entity_id?: string; new_state?: { state?: string } | null }
          if (data.entity_id === "switch.coffee_maker" && data.new_state?.state === "on") seen.coffeeOn++
        })
        yield* live(ha.entities, (all) => (store = all))
        yield* live(ha.subscribeTrigger({ platform: "state", entity_id: "switch.coffee_maker", to: "on" }), () => seen.triggers++)
        yield* eventually(() => sim.subscriptionCount === 6)

        let issued = 0
        const caller = (i: number) =>
          Effect.gen(function*() {
            while (issued < COMMANDS) {
              const token = `c${i}-${issued++}`
              const exit = yield* Effect.exit(
                ha.callService("light", "toggle", { chaos_id: token }, { entity_id: LIGHTS[issued % LIGHTS.length] as string }).pipe(
                  Effect.timeout("30 seconds")
                )
              )
              const kind = Exit.isSuccess(exit)
                ? "result"
                : Cause.isDie(exit.cause)
                ? "defect"
                : Option.match(Cause.failureOption(exit.cause), { onNone: () => "interrupted", onSome: (e) => e._tag })
              results.set(token, kind)
              outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1)
            }
          })

        const cutsDone = () => [...proxy.done.values()].reduce((a, b) => a + b, 0)
        const cut = (kind: string, action: Effect.Effect<void, InvalidOption>, reconnects = false) =>
          Effect.gen(function*() {
            cuts.set(kind, (cuts.get(kind) ?? 0) + 1)
            const [acceptedBefore, cutsBefore] = [sim.acceptedCount, cutsDone()]
            yield* action
            // An armed cut waits for its moment (a re-subscription, a frame from the server); past 2 s it is dropped.
            if (!(yield* eventually(() => !proxy.armed(), 2_000))) proxy.disarm()
            if (process.env.CHAOS_DEBUG !== undefined) console.log(kind, yield* ha.connectionState, sim.acceptedCount, sim.connectionCount, JSON.stringify([...outcomes]))
            // A cut takes effect asynchronously: until the sockets report it, the old connection still looks up. So
            // after a cut that happened, wait for the client's next connection rather than trusting the old one.
            const happened = reconnects || cutsDone() > cutsBefore
            yield* eventually(() => (!happened || sim.acceptedCount > acceptedBefore) && sim.connectionCount === 1, 15_000)
            for (let i = 0; i < 300 && !(yield* connected()); i++) yield* sleepMs(10)
          })
        const arm = (c: Cut) => Effect.sync(() => proxy.cut(c))
        const now = arm({ _tag: "now" })
        const chaos = Effect.gen(function*() {
          for (let n = 0; n < CUTS; n++) {
            yield* sleepMs(20 + Math.floor(random() * 80))
            const forced = process.env.CHAOS_PICK
            const pick = forced === undefined ? random() : Number(forced)
            if (pick < 0.3) yield* cut("between write and result", now)
            else if (pick < 0.5) yield* cut("mid-frame", arm({ _tag: "midFrame" }))
            else if (pick < 0.65) yield* cut("during auth", Effect.zipRight(arm({ _tag: "afterClientChunk", n: 2 }), now))
            else if (pick < 0.8) {
              yield* cut("during re-subscription", Effect.zipRight(arm({ _tag: "afterClientChunk", n: 4 + Math.floor(random() * 4) }), now))
            } else if (pick < 0.9) {
              // Entities change and disappear while the client is away.
              yield* cut("offline, entities removed", Effect.gen(function*() {
                yield* sim.goOffline
                yield* sim.setState(`sensor.chaos_${++removable}`, "new")
                if (removable > 1) yield* sim.removeEntity(`sensor.chaos_${removable - 1}`)
                yield* sleepMs(30)
                yield* sim.goOnline
              }), true)
            } else {
              yield* cut("restart into starting", Effect.gen(function*() {
                yield* sim.restartStarting
                yield* sleepMs(50)
                yield* sim.finishStarting
              }), true)
            }
          }
        })
        yield* Effect.all([Effect.all(Array.from({ length: CALLERS }, (_, i) => caller(i)), { concurrency: "unbounded" }), chaos], {
          concurrency: "unbounded"
        })
        proxy.disarm()
        if (process.env.CHAOS_DEBUG !== undefined) console.log("chaos over", Date.now() % 100000)
        yield* eventually(() => sim.connectionCount === 1)

        // Every subscription is live exactly once: each probe arrives once on each, none is silent. Events fired while
        // the client is away are lost, as in HA; so if the connection drops during the probes, they run again.
        let before = { coffeeOn: 0, triggers: 0 }
        let subscriptions = 0
        let probeRounds = 0
        let undisturbed = false
        while (probeRounds < 3) {
          probeRounds++
          yield* eventually(() => sim.connectionCount === 1 && sim.subscriptionCount === 6)
          yield* Effect.flatMap(connected(), (up) => (up ? Effect.void : sleepMs(100)))
          subscriptions = sim.subscriptionCount
          const accepted = sim.acceptedCount
          seen.probes.length = 0
          seen.allProbes.length = 0
          before = { coffeeOn: seen.coffeeOn, triggers: seen.triggers }
          for (let n = 1; n <= 10; n++) yield* sim.fireEvent("chaos_probe", { n })
          for (let n = 0; n < 5; n++) {
            yield* sim.setState("switch.coffee_maker", "on")
            yield* sim.setState("switch.coffee_maker", "off")
          }
          yield* eventually(() =>
            seen.probes.length >= 10 && seen.allProbes.length >= 10 && seen.triggers >= before.triggers + 5 &&
            seen.coffeeOn >= before.coffeeOn + 5, 5_000)
          yield* sleepMs(300) // any duplicate would have arrived by now
          if (sim.acceptedCount === accepted) {
            undisturbed = true
            break
          }
          if (process.env.CHAOS_DEBUG !== undefined) {
            console.log("probe round disturbed", Date.now() % 100000, probeRounds, accepted, sim.acceptedCount, JSON.stringify(sim.closes.slice(-3)))
          }
        }
        const endedDuringRun = [...ended]
        yield* eventually(() => isDeepStrictEqual(store, truth(sim)), 5_000)
        const storeMatches = isDeepStrictEqual(store, truth(sim))
        if (!storeMatches) expect(store).toStrictEqual(truth(sim)) // shows the difference
        const client = Context.get(context, WebSocketClient)
        return { subscriptions, storeMatches, before, probeRounds, undisturbed, reconnects: sim.acceptedCount - 1, client, endedDuringRun }
      }))

      const duplicates = [...results.keys()].filter((token) =>
        sim.received.filter((r) => (r.message.service_data as { chaos_id?: string } | undefined)?.chaos_id === token).length > 1
      )
      const executed = new Map<string, number>()
      for (const r of sim.received) {
        const id = (r.message.service_data as { chaos_id?: string } | undefined)?.chaos_id
        if (id !== undefined) executed.set(id, (executed.get(id) ?? 0) + 1)
      }
      const resultNotRun = [...results].filter(([token, kind]) => kind === "result" && executed.get(token) !== 1)
      yield* eventually(() => sim.connectionCount === 0)
      const clientStats = yield* stats.client.getStats
      for (let i = 0; i < 200 && handles() > baselineHandles; i++) yield* sleepMs(5)
      const heapEnd = heapAfterGc()
      const serverCuts = (cuts.get("offline, entities removed") ?? 0) + (cuts.get("restart into starting") ?? 0)
      const cutsHappened = [...proxy.done.values()].reduce((a, b) => a + b, 0) + serverCuts
      report("ha-chaos", {
        seed: SEED,
        seconds: ((Date.now() - started) / 1000).toFixed(1),
        commands: results.size,
        ...Object.fromEntries([...outcomes].map(([kind, count]) => [`outcome.${kind}`, count])),
        cuts: [...cuts.values()].reduce((a, b) => a + b, 0),
        ...Object.fromEntries([...cuts].map(([kind, count]) => [`cut.${kind.replaceAll(" ", "_")}`, count])),
        reconnects: stats.reconnects,
        ...Object.fromEntries([...proxy.done].map(([kind, count]) => [`proxyCut.${kind}`, count])),
        serverCuts,
        cutsHappened,
        duplicates: duplicates.length,
        probeRounds: stats.probeRounds,
        storeMismatches: stats.storeMatches ? 0 : 1,
        activeConnections: clientStats.activeConnections,
        handlesBefore: baselineHandles,
        handlesAfter: handles(),
        heapGrowth: mib(heapEnd - heapStart),
        heapBound: mib(HEAP_BOUND)
      })
      expect(stats.endedDuringRun).toStrictEqual([]) // no live subscription ended or failed during the run
      expect(results.size).toBeGreaterThanOrEqual(COMMANDS)
      // Cuts that happened: the proxy's, and the server's own (offline, restart), each of which drops the connection.
      expect(cutsHappened).toBeGreaterThanOrEqual(50)
      expect(duplicates).toStrictEqual([]) // no command executed twice
      expect(resultNotRun).toStrictEqual([]) // a result means it ran, once
      // Every command settled: its result, or ConnectionLost (its frame may have left) — no hang, no defect.
      expect([...outcomes.keys()].filter((kind) => kind !== "result" && kind !== "ConnectionLost")).toStrictEqual([])
      expect(stats.undisturbed).toBe(true) // a probe round ran with no reconnect in it
      expect(stats.subscriptions).toBe(6) // 3 event subscriptions, the entities, the trigger, its started listener
      expect(seen.probes).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(seen.allProbes).toStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(seen.triggers - stats.before.triggers).toBe(5)
      expect(seen.coffeeOn - stats.before.coffeeOn).toBe(5)
      expect(stats.storeMatches).toBe(true)
      expect(clientStats.activeConnections).toBe(0)
      expect(handles()).toBeLessThanOrEqual(baselineHandles)
      expect(heapEnd - heapStart).toBeLessThan(HEAP_BOUND)
    }).pipe(Effect.scoped))
})
