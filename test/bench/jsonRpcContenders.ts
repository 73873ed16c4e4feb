/**
 * The JSON-RPC 2.0 contenders, against the bench's JSON-RPC echo server (`jsonRpcEchoServer.mjs`): `echo` calls
 * with `[i]` as their params on one connection — a hand-written raw `ws` client (the baseline: ids, a Map of
 * pending calls, `JSON.stringify` out and `JSON.parse` in), the same client driven from Effect fibers (the runtime
 * floor), and our `JsonRpc` client. Each contender's first call waits for its connection and is not timed.
 */
import { Effect } from "effect"
import WebSocket from "ws"
import { JsonRpc, JsonRpcLive } from "../../src/index.js"
import { type ConcurrentRun, concurrently, inFibers } from "./haContenders.js"

export interface JsonRpcContender {
  readonly name: string
  /** Makes `calls` echo calls one after another; returns the total milliseconds. */
  readonly sequential: (url: string, calls: number) => Promise<number>
  /** `callers` callers at once share `calls` timed echo calls; returns the total time and every call's latency. */
  readonly concurrent: (url: string, calls: number, callers: number) => Promise<ConcurrentRun>
}

/** A response of the echo server: its result, or a JSON-RPC error. */
interface Response {
  readonly id: number
  readonly result?: unknown
  readonly error?: { readonly code: number; readonly message: string }
}

/** The last call's result must be its params: every contender round-trips for real. */
const checked = (result: unknown, i: number) => {
  if (!Array.isArray(result) || result.length !== 1 || result[0] !== i) {
    throw new Error(`echo ${i} answered ${JSON.stringify(result)}`)
  }
}

/**
 * The hand-written client on raw `ws`: `call` sends a request with the next id and hands `onResponse` to the
 * pending Map under it; the message handler parses each frame and wakes the caller under its id.
 */
const rawSession = async (url: string) => {
  const socket = new WebSocket(url, { perMessageDeflate: false })
  const pending = new Map<number, (response: Response) => void>()
  socket.on("message", (data) => {
    const response = JSON.parse((data as Buffer).toString()) as Response
    const waiter = pending.get(response.id)
    if (waiter === undefined) return
    pending.delete(response.id)
    waiter(response)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve())
    socket.once("error", reject)
  })
  let lastId = 0
  const call = (method: string, params: ReadonlyArray<unknown>, onResponse: (response: Response) => void) => {
    const id = ++lastId
    pending.set(id, onResponse)
    socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }))
  }
  return { socket, call }
}

const failure = (response: Response) => new Error(`JSON-RPC error ${response.error?.code}: ${response.error?.message}`)

/** The raw client's call as a Promise of its result. */
const rawCall = (session: Awaited<ReturnType<typeof rawSession>>, params: ReadonlyArray<unknown>) =>
  new Promise<unknown>((resolve, reject) =>
    session.call("echo", params, (response) => response.error === undefined ? resolve(response.result) : reject(failure(response)))
  )

export const rawJsonRpc: JsonRpcContender = {
  name: "raw ws (hand-written)",
  sequential: async (url, calls) => {
    const session = await rawSession(url)
    await rawCall(session, [0])
    let last: unknown
    const start = performance.now()
    for (let i = 1; i <= calls; i++) last = await rawCall(session, [i])
    const ms = performance.now() - start
    checked(last, calls)
    session.socket.close()
    return ms
  },
  concurrent: async (url, calls, callers) => {
    const session = await rawSession(url)
    await rawCall(session, [0])
    const run = await concurrently(calls, callers, (i) => rawCall(session, [i]))
    session.socket.close()
    return run
  }
}

/**
 * The Effect runtime's floor, not a client: the hand-written raw session called from Effect fibers, one
 * `Effect.async` per call (as the HA workload's floor). No JSON-RPC client called from a fiber can beat it.
 */
const floorCall = (session: Awaited<ReturnType<typeof rawSession>>, params: ReadonlyArray<unknown>) =>
  Effect.async<unknown, Error>((resume) =>
    session.call("echo", params, (response) =>
      resume(response.error === undefined ? Effect.succeed(response.result) : Effect.fail(failure(response))))
  )

export const jsonRpcFloor: JsonRpcContender = {
  name: "floor: hand-written, in a fiber",
  sequential: (url, calls) =>
    Effect.runPromise(Effect.gen(function*() {
      const session = yield* Effect.promise(() => rawSession(url))
      yield* floorCall(session, [0])
      let last: unknown
      const start = performance.now()
      for (let i = 1; i <= calls; i++) last = yield* floorCall(session, [i])
      const ms = performance.now() - start
      checked(last, calls)
      session.socket.close()
      return ms
    })),
  concurrent: (url, calls, callers) =>
    Effect.runPromise(Effect.gen(function*() {
      const session = yield* Effect.promise(() => rawSession(url))
      yield* floorCall(session, [0])
      const run = yield* inFibers(calls, callers, (i) => floorCall(session, [i]))
      session.socket.close()
      return run
    }))
}

/** Our client: `JsonRpcLive` (its own WebSocketClient on Node's `ws` transport), `rpc.request("echo", [i])`. */
export const oursJsonRpc: JsonRpcContender = {
  name: "our JSON-RPC client",
  sequential: (url, calls) =>
    Effect.gen(function*() {
      const rpc = yield* JsonRpc
      yield* rpc.request("echo", [0])
      let last: unknown
      const start = performance.now()
      for (let i = 1; i <= calls; i++) last = yield* rpc.request("echo", [i])
      const ms = performance.now() - start
      checked(last, calls)
      return ms
    }).pipe(Effect.provide(JsonRpcLive({ url, heartbeat: false })), Effect.runPromise),
  concurrent: (url, calls, callers) =>
    Effect.gen(function*() {
      const rpc = yield* JsonRpc
      yield* rpc.request("echo", [0])
      return yield* inFibers(calls, callers, (i) => rpc.request("echo", [i]))
    }).pipe(Effect.provide(JsonRpcLive({ url, heartbeat: false })), Effect.runPromise)
}
