/**
 * One entity-store contender in its own process: replays the recorded `subscribe_entities` frames (entityFrames.ts)
 * into our store or HAWS's `subscribeEntities`, and prints one JSON line { cpuMs, wallMs, retained, maps, checked }.
 * `paced`: one frame per event-loop turn, as a socket delivers a calm home. `burst`: every frame at once, as a
 * coalesced frame or a backlog delivers them. Both contenders get the same parsed events; parsing is not timed.
 */
import { getHeapSpaceStatistics } from "node:v8"
import { Effect, Queue, Stream } from "effect"
import { subscribeEntities } from "home-assistant-js-websocket"
import type { HassEntities } from "../../src/homeassistant/compressedState.js"
import { makeEntityStore, type SessionEvent } from "../../src/homeassistant/entities.js"
import { recordFrames } from "./entityFrames.js"

const [contender = "ours", mode = "paced", entitiesText = "5000", diffsText = "20000"] = process.argv.slice(2)
const { frames, done, final } = recordFrames(Number(entitiesText), Number(diffsText))
const events = frames.map((frame) => (JSON.parse(frame) as { event: unknown }).event)
// Live data after full GCs: every V8 heap space but the code spaces, so compiled code is not counted as retained.
const liveHeap = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return getHeapSpaceStatistics()
    .filter((space) => !space.space_name.startsWith("code"))
    .reduce((sum, space) => sum + space.space_used_size, 0)
}

/** Calls `deliver` for every event, paced or all at once, after `ready`. */
const replay = (deliver: (event: unknown) => void) => {
  if (mode === "burst") {
    for (const event of events) deliver(event)
    return
  }
  let i = 0
  const step = () => {
    deliver(events[i++])
    if (i < events.length) setImmediate(step)
  }
  step()
}

/** Sets up a contender; `start` replays and resolves with the last map once the final frame shows. */
type Contender = () => Promise<{ start: () => Promise<HassEntities>; maps: () => number }>

const ours: Contender = async () => {
  let maps = 0
  let finish: (map: HassEntities) => void = () => undefined
  const finished = new Promise<HassEntities>((resolve) => (finish = resolve))
  const queue = Effect.runSync(Queue.unbounded<SessionEvent>())
  await new Promise<void>((ready) => {
    Effect.runFork(Effect.scoped(Effect.gen(function*() {
      const store = yield* makeEntityStore(() => Stream.fromQueue(queue), "5 seconds", {
        isLegacy: Effect.succeed(false),
        getStates: Effect.succeed([]),
        reconnected: Stream.never
      })
      yield* Effect.forkScoped(Stream.runForEach(store.entities, (map) =>
        Effect.sync(() => {
          maps++
          if (map[done] !== undefined) finish(map)
        })))
      // Let the consumer subscribe (the shared value's first acquire) before the heap baseline is taken.
      yield* Effect.sleep("50 millis")
      yield* Effect.sync(ready)
      yield* Effect.never
    })))
  })
  return {
    maps: () => maps,
    start: () => {
      replay((event) => Queue.unsafeOffer(queue, { attachment: 1, event }))
      return finished
    }
  }
}

const haws: Contender = async () => {
  let maps = 0
  let deliver: (event: unknown) => void = () => undefined
  let finish: (map: HassEntities) => void = () => undefined
  const finished = new Promise<HassEntities>((resolve) => (finish = resolve))
  // HAWS's collection needs only these of a connection: the version, events, and subscribeMessage.
  const connection = {
    haVersion: "2026.1.2",
    connected: true,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    subscribeMessage: (callback: (event: unknown) => void) => {
      deliver = callback
      return Promise.resolve(() => Promise.resolve())
    }
  }
  subscribeEntities(connection as never, (map) => {
    maps++
    if (map[done] !== undefined) finish(map as HassEntities)
  })
  await Promise.resolve()
  return { maps: () => maps, start: () => (replay((event) => deliver(event)), finished) }
}

const main = async () => {
  const { start, maps } = await (contender === "haws" ? haws : ours)()
  const heapBefore = liveHeap()
  const cpu = process.cpuUsage()
  const wall = performance.now()
  const map = await start()
  const used = process.cpuUsage(cpu)
  const wallMs = performance.now() - wall
  const retained = liveHeap() - heapBefore
  // The work was done: every entity's final state and timestamps are in the map.
  let checked = 0
  for (const state of final) {
    const held = map[state.entity_id]
    if (held?.state !== state.state || held.last_updated !== state.last_updated) throw new Error(`${contender}: ${state.entity_id} is wrong`)
    checked++
  }
  console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000, wallMs, retained, maps: maps(), checked }))
  process.exit(0)
}

void main()
