/** What both chaos soaks share: a seeded random source, the live-handle count, and waits on the real clock. */
import { Effect } from "effect"

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed replays the same run. */
export const seededRandom = (seed: number): () => number => {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Active handles of this process, less the terminal and timers: a leaked socket or server shows here. */
export const handles = () => process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap" && r !== "Timeout").length

/** Sleeps `ms` on the real clock (the soaks run live). */
export const sleepMs = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

/** Polls `condition` every 10 ms for up to `ms`; succeeds with whether it held. */
export const eventually = (condition: () => boolean, ms = 10_000) =>
  Effect.gen(function*() {
    for (let waited = 0; waited < ms; waited += 10) {
      if (condition()) return true
      yield* sleepMs(10)
    }
    return condition()
  })
