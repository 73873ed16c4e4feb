/**
 * The Home Assistant contenders: `call_service` round trips on one authenticated connection — our client,
 * home-assistant-js-websocket (HAWS 9, with `ws` as its WebSocket), and a hand-written raw `ws` client. Our client
 * can also run as another build of this library (`--before DIR`), through the very same workload code.
 */
import { Context, Effect, Layer } from "effect"
import { callService, createConnection, createLongLivedTokenAuth } from "home-assistant-js-websocket"
import WebSocket from "ws"
import * as Current from "../../src/index.js"

/**
 * What the HA workloads take from a build of our library. The current one is `src/` as the bench compiles it;
 * another (an earlier commit's `dist/index.js`, `--before`) is loaded with `import()` and must have these exports.
 */
export type HaLibrary = Pick<typeof Current, "HomeAssistant" | "HomeAssistantLayer" | "WebSocketClientLive">

export interface HaContender {
  readonly name: string
  /** Runs `calls` sequential light.toggle calls; returns the total milliseconds. */
  readonly callServices: (httpUrl: string, token: string, calls: number) => Promise<number>
}

/** What a concurrent run measured: total milliseconds and every call's latency in milliseconds. */
export interface ConcurrentRun {
  readonly ms: number
  readonly latencies: Float64Array
}

/** A contender for `callers` concurrent callers sharing `calls` light.toggle calls on one connection. */
export interface ConcurrentContender {
  readonly name: string
  readonly concurrent: (httpUrl: string, token: string, calls: number, callers: number) => Promise<ConcurrentRun>
}

/**
 * Runs `callers` loops at once, making timed calls until `calls` were made; `call(i)` makes call `i` (from 1), so a
 * workload may give every call its own params. Shared by the HA and JSON-RPC workloads.
 */
export const concurrently = async (calls: number, callers: number, call: (i: number) => Promise<unknown>): Promise<ConcurrentRun> => {
  const latencies = new Float64Array(calls)
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next < calls) {
      const index = next++
      const begun = performance.now()
      await call(index + 1)
      latencies[index] = performance.now() - begun
    }
  }))
  return { ms: performance.now() - start, latencies }
}

/** Effect's own way: `callers` fibers at once, each making its share of the `calls` timed calls of `call`. */
export const inFibers = <E>(calls: number, callers: number, call: (i: number) => Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    const latencies = new Float64Array(calls)
    let next = 0
    const worker = Effect.gen(function*() {
      while (next < calls) {
        const index = next++
        const begun = performance.now()
        yield* call(index + 1)
        latencies[index] = performance.now() - begun
      }
    })
    const start = performance.now()
    yield* Effect.all(Array.from({ length: callers }, () => worker), { concurrency: "unbounded", discard: true })
    return { ms: performance.now() - start, latencies } satisfies ConcurrentRun
  })

const target = { entity_id: "light.kitchen" }

/** Our client from `library`: sequential light.toggle calls on one connection. */
export const oursFrom = (library: HaLibrary, name: string): HaContender => ({
  name,
  callServices: (httpUrl, token, calls) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(
        library.HomeAssistantLayer({ url: httpUrl, accessToken: token, heartbeat: false }).pipe(
          Layer.provide(library.WebSocketClientLive)
        )
      )
      const ha = Context.get(context, library.HomeAssistant)
      const start = performance.now()
      for (let i = 0; i < calls; i++) yield* ha.callService("light", "toggle", undefined, target)
      return performance.now() - start
    })))
})

/** Our client from `library`: `callers` fibers sharing the calls on one connection. */
export const oursConcurrentFrom = (library: HaLibrary, name: string): ConcurrentContender => ({
  name,
  concurrent: (httpUrl, token, calls, callers) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(
        library.HomeAssistantLayer({ url: httpUrl, accessToken: token, heartbeat: false }).pipe(
          Layer.provide(library.WebSocketClientLive)
        )
      )
      const ha = Context.get(context, library.HomeAssistant)
      // One Effect made once and run by every call, as before the helper took call numbers.
      const toggle = ha.callService("light", "toggle", undefined, target)
      return yield* inFibers(calls, callers, () => toggle)
    })))
})

export const ours: HaContender = oursFrom(Current, "our HA client")

export const oursConcurrent: ConcurrentContender = oursConcurrentFrom(Current, "our HA client")

export const hawsConcurrent: ConcurrentContender = {
  name: "home-assistant-js-websocket",
  concurrent: async (httpUrl, token, calls, callers) => {
    ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
    const connection = await createConnection({ auth: createLongLivedTokenAuth(httpUrl, token) })
    const run = await concurrently(calls, callers, () => callService(connection, "light", "toggle", undefined, target))
    connection.close()
    return run
  }
}

/** Corks the socket's TCP stream at the first call in a tick and uncorks it on the next tick. */
const corkPerTick = (socket: WebSocket) => {
  const tcp = (socket as unknown as { _socket: { cork: () => void; uncork: () => void } })._socket
  let inTick = false
  return () => {
    if (inTick) return
    inTick = true
    tcp.cork()
    process.nextTick(() => {
      inTick = false
      tcp.uncork()
    })
  }
}

/** The hand-written raw client, each frame its own write, or (`corked`) its frames corked per tick. */
const rawConcurrentWith = (name: string, corked: boolean): ConcurrentContender => ({
  name,
  concurrent: async (httpUrl, token, calls, callers) => {
    const { callServiceMessage, pending, socket } = await rawHaSession(httpUrl, token)
    const cork = corkPerTick(socket)
    let id = 1
    const run = await concurrently(calls, callers, () => {
      const mine = ++id
      const reply = new Promise((resolve) => pending.set(mine, resolve))
      if (corked) cork()
      socket.send(callServiceMessage(mine))
      return reply.then(() => pending.delete(mine))
    })
    socket.close()
    return run
  }
})

export const rawConcurrent = rawConcurrentWith("raw ws (hand-written)", false)

/** How far coalescing writes alone can take a client: the floor of the concurrent row. */
export const rawCorkedConcurrent = rawConcurrentWith("raw ws, writes corked per tick", true)

/**
 * The Effect runtime's floor under concurrency: the corked raw session driven by `callers` fibers, one
 * `Effect.async` per call. What any client on Effect pays at least, in throughput and in tail latency.
 */
export const fiberCorkedConcurrent: ConcurrentContender = {
  name: "floor: raw ws, corked, in fibers",
  concurrent: (httpUrl, token, calls, callers) =>
    Effect.runPromise(Effect.gen(function*() {
      const { callServiceMessage, pending, socket } = yield* Effect.promise(() => rawHaSession(httpUrl, token))
      const cork = corkPerTick(socket)
      let id = 1
      const call = Effect.async<unknown>((resume) => {
        const mine = ++id
        pending.set(mine, (message) => {
          pending.delete(mine)
          resume(Effect.succeed(message))
        })
        cork()
        socket.send(callServiceMessage(mine))
      })
      const run = yield* inFibers(calls, callers, () => call)
      socket.close()
      return run
    }))
}

export const haws: HaContender = {
  name: "home-assistant-js-websocket",
  callServices: async (httpUrl, token, calls) => {
    // HAWS uses the global WebSocket (Node 20 has none): give it ws, as its docs suggest for Node.
    ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
    const connection = await createConnection({ auth: createLongLivedTokenAuth(httpUrl, token) })
    const start = performance.now()
    for (let i = 0; i < calls; i++) await callService(connection, "light", "toggle", undefined, target)
    const ms = performance.now() - start
    connection.close()
    return ms
  }
}

/**
 * A hand-written HA session on raw `ws`: authenticates, turns on HA's message coalescing (as HAWS and ours do), then
 * routes each result, alone or in a coalesced array, to the waiter under its id.
 */
const rawHaSession = async (httpUrl: string, token: string) => {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, "ws")}/api/websocket`, { perMessageDeflate: false })
  const pending = new Map<number, (message: unknown) => void>()
  let ready: () => void = () => undefined
  const route = (message: { type: string; id?: number }) => {
    if (message.type === "auth_required") socket.send(JSON.stringify({ type: "auth", access_token: token }))
    else if (message.type === "auth_ok") {
      socket.send(JSON.stringify({ id: 1, type: "supported_features", features: { coalesce_messages: 1 } }))
    } else if (message.id === 1) ready()
    else if (message.id !== undefined) pending.get(message.id)?.(message)
  }
  socket.on("message", (data) => {
    const parsed = JSON.parse(String(data)) as { type: string; id?: number } | Array<{ type: string; id?: number }>
    if (Array.isArray(parsed)) for (const message of parsed) route(message)
    else route(parsed)
  })
  await new Promise<void>((resolve) => (ready = resolve))
  const callServiceMessage = (id: number) =>
    JSON.stringify({ id, type: "call_service", domain: "light", service: "toggle", target })
  return { socket, pending, callServiceMessage }
}

export const rawHa: HaContender = {
  name: "raw ws (hand-written)",
  callServices: async (httpUrl, token, calls) => {
    const { callServiceMessage, pending, socket } = await rawHaSession(httpUrl, token)
    const start = performance.now()
    for (let id = 2; id <= calls + 1; id++) {
      const reply = new Promise((resolve) => pending.set(id, resolve))
      socket.send(callServiceMessage(id))
      await reply
      pending.delete(id)
    }
    const ms = performance.now() - start
    socket.close()
    return ms
  }
}

/**
 * The Effect runtime's floor, not a client: the hand-written raw `ws` session called from an Effect fiber, one
 * `Effect.async` per call. No HA client called from a fiber can beat it; the gap to HAWS is the runtime's.
 */
export const haFloor: HaContender = {
  name: "floor: hand-written, in a fiber",
  callServices: (httpUrl, token, calls) =>
    Effect.runPromise(Effect.gen(function*() {
      const { callServiceMessage, pending, socket } = yield* Effect.promise(() => rawHaSession(httpUrl, token))
      const start = performance.now()
      for (let id = 2; id <= calls + 1; id++) {
        yield* Effect.async<unknown>((resume) => {
          pending.set(id, (message) => resume(Effect.succeed(message)))
          socket.send(callServiceMessage(id))
        })
        pending.delete(id)
      }
      const ms = performance.now() - start
      socket.close()
      return ms
    }))
}
