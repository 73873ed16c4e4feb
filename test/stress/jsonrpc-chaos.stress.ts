// Chaos soak for JSON-RPC: 20 callers make ~3,000 requests (count, echo, batches, notifications), each with a key of
// its own, through a proxy that cuts the connection at chosen moments (between a write and its answer, mid-frame,
// during re-subscription), while the server drops, closes with 1012, stalls a connection until the heartbeat gives up
// on it, and holds its answers past short request timeouts. Three subscriptions stay open and the server publishes a
// tick every 20 ms. The server's own records are the truth. Seeded: CHAOS_SEED=<n> replays the chaos's choices.
import { isDeepStrictEqual } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Duration, Effect, Either, Exit, Fiber, Layer, Option, Schedule, Stream } from "effect"
import { JsonRpc, JsonRpcLive, WebSocketClient } from "../../src/index.js"
import { JsonRpcServer } from "../jsonrpc/server.js"
import { eventually, handles, seededRandom, sleepMs } from "./chaosKit.js"
import { chaosProxy, type Cut } from "./chaosProxy.js"
import { heapAfterGc, mib, report } from "./figures.js"

const SEED = Number(process.env.CHAOS_SEED ?? 20261202)
const REQUESTS = Number(process.env.CHAOS_REQUESTS ?? 3_000)
const CALLERS = 20
const CUTS = Number(process.env.CHAOS_CUTS ?? 50)
/** A caller's pause between two calls, so the calls span the chaos rather than finish before it. */
const PAUSE_MS = Number(process.env.CHAOS_PAUSE_MS ?? 40)
/** The whole run (calls and chaos) is bounded: a hang fails the test instead of stalling it. */
const RUN_BOUND = "90 seconds"
/** The stated bound on heap growth over the run (the server keeps every call it ran: well under 2 MiB of it). */
const HEAP_BOUND = 32 * 1024 * 1024
const LABELS = ["s0", "s1", "s2"]
/** What a call may end in: its answer, a notification written, or one of the two failures chaos may cause. */
const SETTLED = ["result", "notified", "ConnectionLost", "CommandTimeout"]

const random = seededRandom(SEED)
/** How a call ended, as one word: `result`, an error's tag, `defect`, `interrupted`. */
const kindOf = <A, E extends { readonly _tag: string }>(exit: Exit.Exit<A, E>, ok: (a: A) => string) =>
  Exit.isSuccess(exit)
    ? ok(exit.value)
    : Cause.isDie(exit.cause)
    ? "defect"
    : Option.match(Cause.failureOption(exit.cause), { onNone: () => "interrupted", onSome: (e) => e._tag })

describe("JSON-RPC chaos soak", () => {
  it.live(`~${REQUESTS} calls from ${CALLERS} callers through ${CUTS} cuts run nothing twice, and 3 subscriptions stay live once each`, () =>
    Effect.gen(function*() {
      console.log(`[stress] jsonrpc-chaos: seed=${SEED} (CHAOS_SEED=${SEED} replays this run)`)
      const server = yield* JsonRpcServer.make()
      const proxy = yield* chaosProxy(server.port)
      const baselineHandles = handles()
      const heapStart = heapAfterGc()
      const started = Date.now()
      /** Each key's outcome as the caller saw it. */
      const outcomes = new Map<string, string>()
      const tally = new Map<string, number>()
      const cuts = new Map<string, number>()
      const ticks: Array<Array<number>> = LABELS.map(() => [])
      const probes: Array<Array<string>> = LABELS.map(() => [])
      const ended: Array<string> = []
      /** Moments a connection held one stream's subscription twice, or a reconnect left one missing. */
      const twice = new Set<string>()
      const missing: Array<string> = []
      let serverCuts = 0
      let reconnectsChecked = 0

      const stats = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(JsonRpcLive({
          url: `ws://127.0.0.1:${proxy.port}`,
          reconnect: Schedule.spaced("20 millis"),
          requestTimeout: "10 seconds",
          heartbeat: { interval: "300 millis", timeout: "700 millis" }
        }))
        const rpc = Context.get(context, JsonRpc)
        const connected = () => Effect.map(rpc.connectionState, (state) => state === "connected")

        // Three subscriptions, live through the whole run: each records its ticks, and the probes sent after it.
        yield* Effect.forEach(LABELS, (label, s) =>
          Effect.forkScoped(
            Stream.runForEach(
              rpc.subscribe({ method: "eth_subscribe", params: ["ticks", label], unsubscribe: "eth_unsubscribe" }),
              (value) => Effect.sync(() => (typeof value === "number" ? ticks[s]!.push(value) : probes[s]!.push(String(value))))
            ).pipe(Effect.onExit((exit) =>
              Effect.sync(() => ended.push(`${label}: ${Exit.isSuccess(exit) ? "completed" : Cause.pretty(exit.cause).split("\n")[0]}`))
            ))
          ))
        // On the newest connection, each stream's subscription exactly once, its id sent.
        const subscribedOnce = () => {
          if (server.connections() !== 1) return false
          const newest = server.subscriptions().filter((s) => s.connection === server.connectionsAccepted())
          return isDeepStrictEqual(newest.map((s) => s.label).sort(), LABELS) && newest.every((s) => s.live)
        }
        expect(yield* eventually(subscribedOnce)).toBe(true)

        // Watches, every 5 ms, that no connection ever holds one stream's subscription twice.
        const watcher = yield* Effect.forkScoped(Effect.forever(Effect.zipRight(
          Effect.sync(() => {
            const seen = new Set<string>()
            for (const s of server.subscriptions()) {
              const key = `connection ${s.connection} ${String(s.label)}`
              if (seen.has(key)) twice.add(key)
              seen.add(key)
            }
          }),
          sleepMs(5)
        )))
        let tick = 0
        const publisher = yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.suspend(() => server.publish(++tick)), sleepMs(20))))

        let issued = 0
        let chaosOver = false
        const settle = (keys: ReadonlyArray<string>, kind: string) => {
          for (const key of keys) {
            outcomes.set(key, kind)
            tally.set(kind, (tally.get(kind) ?? 0) + 1)
          }
        }
        const key = () => `k${issued++}`
        const bounded = <A, E>(effect: Effect.Effect<A, E>) => Effect.exit(Effect.timeout(effect, "30 seconds"))
        const caller = Effect.gen(function*() {
          for (let round = 0; !chaosOver || issued < REQUESTS; round++) {
            if (round % 10 === 9) {
              // A batch: the server answers it reversed; each answer must reach its own call.
              const keys = [key(), key(), key()]
              const exit = yield* bounded(rpc.batch([
                { method: "count", params: [keys[0]] },
                { method: "echo", params: [keys[1]] },
                { method: "count", params: [keys[2]] }
              ]))
              if (Exit.isSuccess(exit)) {
                const expected = [Either.right(1), Either.right([keys[1]]), Either.right(1)]
                keys.forEach((k, i) => {
                  const answer = exit.value[i]
                  if (answer !== undefined && Either.isLeft(answer)) return settle([k], `batch error ${answer.left.code}`)
                  settle([k], isDeepStrictEqual(answer, expected[i]) ? "result" : `misrouted: ${JSON.stringify(answer)}`)
                })
              } else settle(keys, kindOf(exit, () => ""))
            } else if (round % 25 === 12) {
              const k = key()
              settle([k], kindOf(yield* bounded(rpc.notify("count", [k])), () => "notified"))
            } else if (round % 5 === 2) {
              // echo answers carry their key, so an answer delivered to the wrong call shows.
              const k = key()
              settle([k], kindOf(yield* bounded(rpc.request("echo", [k])), (v) => isDeepStrictEqual(v, [k]) ? "result" : `misrouted: ${JSON.stringify(v)}`))
            } else {
              // One in eight counts has a short timeout: while the server holds its answers, it ends in CommandTimeout.
              const k = key()
              const options = round % 8 === 5 ? { timeout: Duration.millis(200) } : undefined
              settle([k], kindOf(yield* bounded(rpc.request("count", [k], options)), (v) => v === 1 ? "result" : `misrouted: ${JSON.stringify(v)}`))
            }
            yield* sleepMs(PAUSE_MS)
          }
        })

        const cutsDone = () => [...proxy.done.values()].reduce((a, b) => a + b, 0)
        const cut = (kind: string, action: Effect.Effect<void>, reconnects = false) =>
          Effect.gen(function*() {
            cuts.set(kind, (cuts.get(kind) ?? 0) + 1)
            const [acceptedBefore, cutsBefore] = [server.connectionsAccepted(), cutsDone()]
            yield* action
            // An armed cut waits for its moment (a re-subscription, a frame from the server); past 2 s it is dropped.
            if (!(yield* eventually(() => !proxy.armed(), 2_000))) proxy.disarm()
            const happened = reconnects || cutsDone() > cutsBefore
            if (!happened) return
            // A cut takes effect asynchronously: wait for the client's next connection rather than trusting the old one.
            yield* eventually(() => server.connectionsAccepted() > acceptedBefore && server.connections() === 1, 15_000)
            for (let i = 0; i < 300 && !(yield* connected()); i++) yield* sleepMs(10)
            // After each reconnect every stream is subscribed again, once, within 3 s.
            reconnectsChecked++
            if (!(yield* eventually(subscribedOnce, 3_000))) {
              missing.push(`after '${kind}' #${cuts.get(kind)}: ${JSON.stringify(server.subscriptions())} on ${server.connections()} connection(s)`)
            }
          })
        const arm = (c: Cut) => Effect.sync(() => proxy.cut(c))
        const now = arm({ _tag: "now" })
        const onServer = (action: Effect.Effect<void>) => Effect.zipRight(Effect.sync(() => serverCuts++), action)
        const chaos = Effect.gen(function*() {
          for (let n = 0; n < CUTS; n++) {
            yield* sleepMs(20 + Math.floor(random() * 80))
            const forced = process.env.CHAOS_PICK
            const pick = forced === undefined ? random() : Number(forced)
            if (pick < 0.3) yield* cut("between write and result", now)
            else if (pick < 0.45) yield* cut("mid-frame", arm({ _tag: "midFrame" }))
            else if (pick < 0.6) {
              // Chunk 1 is the upgrade; the next ones are the re-subscriptions and the first calls.
              yield* cut("during re-subscription", Effect.zipRight(arm({ _tag: "afterClientChunk", n: 2 + Math.floor(random() * 3) }), now))
            } else if (pick < 0.7) yield* cut("server drops", onServer(server.dropAll), true)
            else if (pick < 0.8) yield* cut("server closes 1012", onServer(server.closeAll(1012, "restarting")), true)
            else if (pick < 0.9) {
              // A half-dead path: the socket stays open but nothing comes back, until the heartbeat gives up on it.
              yield* cut("stalled until the heartbeat", onServer(server.stallOpenConnections), true)
            } else {
              // Answers held past the short timeouts, then (half the time) the connection is cut with answers in flight.
              const delay = 250 + Math.floor(random() * 200)
              const thenCut = random() < 0.5
              yield* cut(thenCut ? "held answers, then cut" : "held answers", Effect.gen(function*() {
                yield* server.setReplyDelay(delay)
                yield* sleepMs(300)
                if (thenCut) yield* now
                yield* server.setReplyDelay(0)
              }))
            }
          }
        }).pipe(Effect.ensuring(Effect.sync(() => (chaosOver = true))))
        const run = yield* Effect.all([Effect.all(Array.from({ length: CALLERS }, () => caller), { concurrency: "unbounded" }), chaos], {
          concurrency: "unbounded"
        }).pipe(Effect.timeout(RUN_BOUND), Effect.exit)
        proxy.disarm()
        const runSeconds = (Date.now() - started) / 1000
        yield* Fiber.interrupt(publisher)

        // Settled: one connection, each stream subscribed once, and each receives every probe published now, once.
        // A probe published while the client is away is lost, as any notification is; so if the connection drops
        // during the probes, they run again.
        let probeRounds = 0
        let undisturbed = false
        let subscriptions: ReadonlyArray<unknown> = []
        while (probeRounds < 3) {
          probeRounds++
          yield* eventually(subscribedOnce)
          for (let i = 0; i < 300 && !(yield* connected()); i++) yield* sleepMs(10)
          subscriptions = server.subscriptions().map(({ label, live }) => ({ label, live })).sort((a, b) => String(a.label).localeCompare(String(b.label)))
          const accepted = server.connectionsAccepted()
          for (const list of probes) list.length = 0
          for (let n = 1; n <= 10; n++) yield* server.publish(`probe-${n}`)
          yield* eventually(() => probes.every((list) => list.length >= 10), 5_000)
          yield* sleepMs(300) // any duplicate would have arrived by now
          if (server.connectionsAccepted() === accepted) {
            undisturbed = true
            break
          }
        }
        yield* Fiber.interrupt(watcher)
        const endedDuringRun = [...ended]
        const client = Context.get(context, WebSocketClient)
        return { run, runSeconds, probeRounds, undisturbed, subscriptions, endedDuringRun, client, reconnects: server.connectionsAccepted() - 1 }
      }))

      const executed = new Map<string, number>()
      for (const call of server.calls) {
        const k = (call.method === "count" || call.method === "echo") && Array.isArray(call.params) ? call.params[0] : undefined
        if (typeof k === "string") executed.set(k, (executed.get(k) ?? 0) + 1)
      }
      const ranTwice = [...executed].filter(([, times]) => times > 1)
      const resultNotRunOnce = [...outcomes].filter(([k, kind]) => kind === "result" && executed.get(k) !== 1)
      const unsettled = [...tally.keys()].filter((kind) => !SETTLED.includes(kind))
      const outOfOrder = ticks.flatMap((list, s) =>
        list.flatMap((value, i) => (i > 0 && value <= list[i - 1]! ? [`${LABELS[s]}: ${list[i - 1]} then ${value}`] : []))
      )
      const lostAfterRun = [...outcomes].filter(([k, kind]) => kind === "ConnectionLost" && executed.get(k) === 1).length
      yield* eventually(() => server.connections() === 0)
      const clientStats = yield* stats.client.getStats
      for (let i = 0; i < 200 && handles() > baselineHandles; i++) yield* sleepMs(5)
      const heapEnd = heapAfterGc()
      const cutsHappened = [...proxy.done.values()].reduce((a, b) => a + b, 0) + serverCuts
      report("jsonrpc-chaos", {
        seed: SEED,
        seconds: ((Date.now() - started) / 1000).toFixed(1),
        runSeconds: stats.runSeconds.toFixed(1),
        calls: outcomes.size,
        ...Object.fromEntries([...tally].map(([kind, count]) => [`outcome.${kind.replaceAll(" ", "_")}`, count])),
        connectionLostButRan: lostAfterRun,
        cuts: [...cuts.values()].reduce((a, b) => a + b, 0),
        ...Object.fromEntries([...cuts].map(([kind, count]) => [`cut.${kind.replaceAll(" ", "_")}`, count])),
        ...Object.fromEntries([...proxy.done].map(([kind, count]) => [`proxyCut.${kind}`, count])),
        serverCuts,
        cutsHappened,
        reconnects: stats.reconnects,
        reconnectsChecked,
        ticks: ticks.map((list) => list.length).join("/"),
        ranTwice: ranTwice.length,
        probeRounds: stats.probeRounds,
        activeConnections: clientStats.activeConnections,
        handlesBefore: baselineHandles,
        handlesAfter: handles(),
        heapGrowth: mib(heapEnd - heapStart),
        heapBound: mib(HEAP_BOUND)
      })
      expect(stats.endedDuringRun).toStrictEqual([]) // no subscription ended or failed
      expect(ranTwice).toStrictEqual([]) // nothing executed twice
      expect(resultNotRunOnce).toStrictEqual([]) // an answer means it ran, once
      // Every call settled: its answer, or ConnectionLost (its frame may have left), or CommandTimeout; no hang, no defect.
      expect(unsettled).toStrictEqual([])
      expect([...twice]).toStrictEqual([]) // no connection ever held a stream's subscription twice
      expect(missing).toStrictEqual([]) // and after every reconnect, each stream's subscription was there
      expect(outOfOrder).toStrictEqual([]) // ticks arrive once each, in order
      expect(Exit.isSuccess(stats.run) ? "finished" : Cause.pretty(stats.run.cause)).toBe("finished") // within RUN_BOUND (a missing subscription costs 3 s a cut, so it shows above first)
      expect(outcomes.size).toBeGreaterThanOrEqual(REQUESTS)
      expect(cutsHappened).toBeGreaterThanOrEqual(Math.floor(CUTS * 0.8))
      expect(ticks.every((list) => list.length > 0)).toBe(true)
      expect(stats.undisturbed).toBe(true) // a probe round ran with no reconnect in it
      expect(stats.subscriptions).toStrictEqual(LABELS.map((label) => ({ label, live: true })))
      expect(probes).toStrictEqual(LABELS.map(() => Array.from({ length: 10 }, (_, i) => `probe-${i + 1}`)))
      expect(clientStats.activeConnections).toBe(0)
      expect(server.subscriptionCount()).toBe(0)
      expect(handles()).toBeLessThanOrEqual(baselineHandles)
      expect(heapEnd - heapStart).toBeLessThan(HEAP_BOUND)
    }).pipe(Effect.scoped))
})
