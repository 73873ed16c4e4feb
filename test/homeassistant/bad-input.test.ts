// Random input to every operation of the HA client, as untyped JavaScript callers can pass it: each one succeeds or
// fails with a typed error (never a defect), and the client stays usable. Against the simulator, on real time: a
// Stream that waits for events it may never get is bounded by a short timeout, which is then its outcome.
import { expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Option, Stream } from "effect"
import type { HomeAssistant } from "../../src/index.js"
import { connect } from "./kit.js"

const anything = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom(undefined, null, Number.NaN, -1, Infinity, "10", "light", "light.kitchen", [], {}, [1], { type: 1 })
)

/** The operations, each taking up to five arbitrary arguments. */
const operations: ReadonlyArray<(ha: HomeAssistant["Type"], a: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown>> = [
  (ha, a) => ha.sendMessage(a[0] as never, a[1] as never),
  (ha, a) => ha.callService(a[0] as never, a[1] as never, a[2] as never, a[3] as never, a[4] as never),
  (ha, a) => ha.getStates(a[0] as never),
  (ha, a) => ha.ping(a[0] as never),
  (ha, a) => Stream.runHead(ha.subscribeEvents(a[0] as never)),
  (ha, a) => Stream.runHead(ha.subscribeMessage(a[0] as never, a[1] as never)),
  (ha, a) => Stream.runHead(ha.subscribeMessageNumbered(a[0] as never, a[1] as never)),
  (ha, a) => ha.readyWith(a[0] as never),
  (ha, a) => Effect.scoped(Effect.flatMap(ha.collection(a[0] as never), Stream.runHead)),
  (ha, a) => Stream.runHead(ha.entity(a[0] as never)),
  (ha, a) => Stream.runHead(ha.entitiesWith(a[0] as never)),
  (ha, a) => Stream.runHead(ha.renderTemplate(a[0] as never, a[1] as never)),
  (ha, a) => Stream.runHead(ha.subscribeTrigger(a[0] as never, a[1] as never)),
  (ha, a) => Stream.runHead(ha.assist(a[0] as never)),
  (ha, a) => Stream.runCollect(ha.assist({ input: { text: a[0] }, endStage: a[1], language: a[2] } as never)),
  (ha, a) => Stream.runCollect(ha.assist({ input: { audio: Stream.make(a[0]) }, pipeline: a[1] } as never)),
  (ha, a) => ha.conversationProcess(a[0] as never, a[1] as never),
  (ha) => ha.listPipelines,
  (ha, a) => ha.signedUrl(a[0] as never, a[1] as never),
  (ha, a) => ha.executeScript(a[0] as never, a[1] as never, a[2] as never),
  (ha, a) => ha.fireEvent(a[0] as never, a[1] as never, a[2] as never),
  (ha, a) => ha.validateConfig(a[0] as never, a[1] as never),
  (ha, a) => ha.testCondition(a[0] as never, a[1] as never, a[2] as never),
  (ha, a) => Stream.runHead(ha.history(a[0] as never)),
  (ha, a) => Stream.runHead(ha.history({ entityIds: a[0], window: a[1], minimalResponse: a[2] } as never)),
  (ha, a) => ha.historyDuringPeriod(a[0] as never, a[1] as never),
  (ha, a) => ha.historyDuringPeriod({ start: a[0], end: a[1], entityIds: a[2] } as never, a[3] as never),
  (ha, a) => ha.statisticsDuringPeriod(a[0] as never, a[1] as never),
  (ha, a) => ha.statisticsDuringPeriod({ statisticIds: a[0], start: a[1], period: a[2], types: a[3] } as never),
  (ha, a) => Stream.runHead(ha.logbook(a[0] as never)),
  (ha, a) => Stream.runHead(ha.logbook({ start: a[0], end: a[1], entityIds: a[2], deviceIds: a[3] } as never))
]

it.scopedLive("property: 150 random argument lists to every HA operation only ever succeed or fail with a typed error", () =>
  Effect.gen(function*() {
    const { ha, sim } = yield* connect({ heartbeat: false })
    const cases = fc.sample(fc.tuple(fc.nat(operations.length - 1), fc.array(anything, { maxLength: 5 })), {
      numRuns: 150,
      seed: 21
    })
    const outcomes = new Set<string>()
    for (const [op, args] of cases) {
      const exit = yield* Effect.exit(
        Effect.suspend(() => operations[op]!(ha, args)).pipe(Effect.timeoutFail({
          duration: "100 millis",
          onTimeout: () => ({ _tag: "still waiting" })
        }))
      )
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause), `operation ${op}: ${String(exit)}`).toBe(false)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      const tag = Option.isSome(failure) ? (failure.value as { readonly _tag?: unknown })._tag : "ok"
      expect(typeof tag).toBe("string")
      outcomes.add(String(tag))
    }
    // the run met the typed refusals it is about, and the client still works
    expect([...outcomes]).toEqual(expect.arrayContaining(["ok", "InvalidMessage", "HomeAssistantError"]))
    expect(yield* ha.getStates()).toHaveLength(sim.states.length)
  }), 60_000)

it.scopedLive("an argument that throws when read is InvalidMessage, never a defect, and nothing is sent", () =>
  Effect.gen(function*() {
    const { ha, sim } = yield* connect({ heartbeat: false })
    // Every read of it throws: a property, its keys, its descriptors.
    const refuse = () => {
      throw new RangeError("no")
    }
    const trap = new Proxy({}, { get: refuse, ownKeys: refuse, getOwnPropertyDescriptor: refuse, has: refuse })
    const before = sim.received.length
    const calls: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
      ["executeScript", Effect.suspend(() => ha.executeScript(trap as never))],
      ["testCondition", Effect.suspend(() => ha.testCondition(trap as never))],
      ["history", Stream.runHead(ha.history(trap as never))],
      ["logbook", Stream.runHead(ha.logbook(trap as never))],
      ["entitiesWith", Stream.runHead(ha.entitiesWith(trap as never))],
      ["conversationProcess", Effect.suspend(() => ha.conversationProcess("hi", trap as never))]
    ]
    for (const [name, call] of calls) {
      const exit = yield* Effect.exit(call)
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause), `${name}: ${String(exit)}`).toBe(false)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      expect(Option.getOrUndefined(failure), `${name}: ${String(exit)}`).toMatchObject({ _tag: "InvalidMessage" })
    }
    expect(sim.received.length).toBe(before)
  }))
