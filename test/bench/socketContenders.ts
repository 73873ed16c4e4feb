/**
 * The contenders of the socket workloads: raw `ws` (the physical limit on this stack), our Effect API, our Promise
 * adapter, and a naive @effect/platform Socket (runRaw + Queue). Every contender does the same work per message:
 * JSON.stringify out, JSON.parse in.
 */
import * as Socket from "@effect/platform/Socket"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { Effect, Layer, ManagedRuntime, Queue, type Scope } from "effect"
import WebSocket from "ws"
import { createWebSocketInterface, type JsonObject, WebSocketClient, WebSocketClientLive } from "../../src/index.js"


export interface SocketContender {
  readonly name: string
  readonly sequential: (url: string, count: number, payload: JsonObject) => Promise<Float64Array>
  readonly pipelined: (url: string, count: number, window: number, payload: JsonObject) => Promise<number>
  readonly requestCycles?: (url: string, cycles: number, payload: JsonObject) => Promise<number>
  readonly openMany?: (url: string, count: number) => Promise<{ readonly ms: number; readonly heapPerConnection: number }>
}

const now = () => performance.now()
/** A frame's text without copying it (`Buffer.from(buffer)` would copy: work no contender needs to do). */
const text = (data: WebSocket.RawData | string | Uint8Array): string =>
  typeof data === "string"
    ? data
    : Buffer.isBuffer(data)
    ? data.toString()
    : Array.isArray(data)
    ? Buffer.concat(data).toString()
    : data instanceof ArrayBuffer
    ? Buffer.from(data).toString()
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString()
const decode = (data: WebSocket.RawData | string | Uint8Array): unknown => JSON.parse(text(data))

const heapAfterGc = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}
/**
 * The live heap once the connections just opened have settled: Node keeps each handshake's request and response
 * until callbacks it schedules after `open` have run. Measured in the same turn (or after one `setImmediate`), a
 * heap snapshot held 9,000 `ClientRequest`s, `IncomingMessage`s and `Immediate`s for 10k connections opened in
 * one burst: 6.1 KB per raw connection instead of 2.7–2.8 KB. A timer fires after them.
 */
const settledHeap = () => new Promise<number>((resolve) => setTimeout(() => resolve(heapAfterGc()), 0))

const openRaw = (url: string, onSocket?: (socket: WebSocket) => void) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false })
    onSocket?.(socket)
    socket.once("open", () => resolve(socket))
    socket.once("error", reject)
  })

const closeRaw = (socket: WebSocket) =>
  new Promise<void>((resolve) => {
    socket.once("close", () => resolve())
    socket.close(1000)
  })

/** One request cycle on raw `ws`: connect, send, first reply, close. `onSocket` sees the socket as it is made. */
const rawCycle = async (url: string, payload: JsonObject, onSocket?: (socket: WebSocket) => void) => {
  const socket = await openRaw(url, onSocket)
  const reply = new Promise((resolve) => socket.once("message", (data) => resolve(decode(data))))
  socket.send(JSON.stringify(payload))
  await reply
  await closeRaw(socket)
}

export const rawWs: SocketContender = {
  name: "raw ws",
  sequential: async (url, count, payload) => {
    const socket = await openRaw(url)
    const latencies = new Float64Array(count)
    let next: (value: unknown) => void = () => undefined
    socket.on("message", (data) => next(decode(data)))
    for (let i = 0; i < count; i++) {
      const start = now()
      const reply = new Promise((resolve) => (next = resolve))
      socket.send(JSON.stringify(payload))
      await reply
      latencies[i] = now() - start
    }
    await closeRaw(socket)
    return latencies
  },
  pipelined: async (url, count, window, payload) => {
    const socket = await openRaw(url)
    const start = now()
    await new Promise<void>((done) => {
      let sent = 0
      let received = 0
      socket.on("message", (data) => {
        decode(data)
        if (++received === count) return done()
        if (sent < count) {
          sent++
          socket.send(JSON.stringify(payload))
        }
      })
      for (; sent < Math.min(window, count); sent++) socket.send(JSON.stringify(payload))
    })
    const ms = now() - start
    await closeRaw(socket)
    return ms
  },
  requestCycles: async (url, cycles, payload) => {
    const start = now()
    for (let i = 0; i < cycles; i++) await rawCycle(url, payload)
    return now() - start
  },
  openMany: async (url, count) => {
    const before = heapAfterGc()
    const start = now()
    const sockets = await Promise.all(Array.from({ length: count }, () => openRaw(url)))
    const ms = now() - start
    const heapPerConnection = ((await settledHeap()) - before) / count
    await Promise.all(sockets.map(closeRaw))
    return { ms, heapPerConnection }
  }
}

/** Raw `ws` messages as an Effect program takes them at the least cost: a buffer, and one `Effect.async` when empty. */
const fiberInbox = (socket: WebSocket) => {
  const inbox: Array<unknown> = []
  let waiting: ((reply: Effect.Effect<unknown>) => void) | undefined
  socket.on("message", (data) => {
    const message = decode(data)
    const wake = waiting
    waiting = undefined
    if (wake === undefined) inbox.push(message)
    else wake(Effect.succeed(message))
  })
  return Effect.suspend(() =>
    inbox.length > 0 ? Effect.succeed(inbox.shift()) : Effect.async<unknown>((resume) => void (waiting = resume))
  )
}

/**
 * The Effect runtime's floor, not a client: raw `ws` driven from an Effect fiber the cheapest way an Effect program
 * can wait (`Effect.sync` per send, one `Effect.async` per wait, `Effect.forEach` to open many). No Effect API over a
 * socket can beat it when called from a fiber, so the gap between raw `ws` and this row is the runtime's, and the gap
 * between this row and ours is our client's.
 */
export const effectFloor: SocketContender = {
  name: "floor: raw ws in a fiber",
  sequential: (url, count, payload) =>
    Effect.runPromise(Effect.gen(function*() {
      const socket = yield* Effect.promise(() => openRaw(url))
      const receive = fiberInbox(socket)
      const latencies = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        const start = now()
        yield* Effect.sync(() => socket.send(JSON.stringify(payload)))
        yield* receive
        latencies[i] = now() - start
      }
      yield* Effect.promise(() => closeRaw(socket))
      return latencies
    })),
  pipelined: (url, count, window, payload) =>
    Effect.runPromise(Effect.gen(function*() {
      const socket = yield* Effect.promise(() => openRaw(url))
      const receive = fiberInbox(socket)
      const send = Effect.sync(() => socket.send(JSON.stringify(payload)))
      const start = now()
      let sent = 0
      for (; sent < Math.min(window, count); sent++) yield* send
      for (let received = 0; received < count; received++) {
        yield* receive
        if (sent < count) {
          sent++
          yield* send
        }
      }
      const ms = now() - start
      yield* Effect.promise(() => closeRaw(socket))
      return ms
    })),
  requestCycles: (url, cycles, payload) =>
    Effect.runPromise(Effect.gen(function*() {
      const start = now()
      for (let i = 0; i < cycles; i++) yield* Effect.promise(() => rawCycle(url, payload))
      return now() - start
    })),
  openMany: (url, count) =>
    Effect.runPromise(Effect.gen(function*() {
      const before = heapAfterGc()
      const start = now()
      const sockets = yield* Effect.forEach(Array.from({ length: count }), () => Effect.promise(() => openRaw(url)), {
        concurrency: "unbounded"
      })
      const ms = now() - start
      const heapPerConnection = ((yield* Effect.promise(settledHeap)) - before) / count
      yield* Effect.promise(() => Promise.all(sockets.map(closeRaw)))
      return { ms, heapPerConnection }
    }))
}

/**
 * A raw `ws` cycle with `request`'s guarantee: one wait that stays interruptible, where an interrupted cycle closes
 * its socket before the interruption completes, built the cheapest way Effect offers (a mask around the one wait,
 * and a failure handler). Without that guarantee, `effectFloor`'s cycle is cheaper.
 */
const interruptSafeCycle = (url: string, payload: JsonObject): Effect.Effect<void> =>
  Effect.suspend(() => {
    let socket: WebSocket | undefined
    return Effect.uninterruptibleMask((restore) =>
      Effect.matchCauseEffect(restore(Effect.promise(() => rawCycle(url, payload, (made) => (socket = made)))), {
        onFailure: (cause) =>
          Effect.zipRight(
            socket === undefined ? Effect.void : Effect.promise(() => closeRaw(socket as WebSocket)),
            Effect.failCause(cause)
          ),
        onSuccess: Effect.succeed
      })
    )
  })

/** The floor of `request` as its contract has it: `interruptSafeCycle` after `interruptSafeCycle`. */
export const requestFloor: Pick<SocketContender, "name" | "requestCycles"> = {
  name: "floor: raw ws in a fiber, closed if interrupted",
  requestCycles: (url, cycles, payload) => {
    const cycle = interruptSafeCycle(url, payload)
    return Effect.runPromise(Effect.gen(function*() {
      const start = now()
      for (let i = 0; i < cycles; i++) yield* cycle
      return now() - start
    }))
  }
}

/** The floor of opening many from a fiber with one wait for all (what `connectAll` does): raw `ws` under one `Effect.promise`. */
export const batchFloor: Pick<SocketContender, "name" | "openMany"> = {
  name: "floor: raw ws, one wait for all",
  openMany: (url, count) => Effect.runPromise(Effect.promise(() => (rawWs.openMany as NonNullable<SocketContender["openMany"]>)(url, count)))
}

/** The floor of a Promise API over a `ManagedRuntime` (what the adapter is): raw `ws`, one `runPromise` per call. */
export const adapterFloor: Pick<SocketContender, "name" | "requestCycles" | "sequential"> = {
  name: "floor: raw ws per runPromise",
  // The adapter's send→receive is two calls: here, two `runPromise`s around raw `ws`.
  sequential: async (url, count, payload) => {
    const runtime = ManagedRuntime.make(Layer.empty)
    const socket = await openRaw(url)
    const receive = fiberInbox(socket)
    const send = Effect.sync(() => socket.send(JSON.stringify(payload)))
    const latencies = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const start = now()
      await runtime.runPromise(send)
      await runtime.runPromise(receive)
      latencies[i] = now() - start
    }
    await closeRaw(socket)
    await runtime.dispose()
    return latencies
  },
  requestCycles: async (url, cycles, payload) => {
    const runtime = ManagedRuntime.make(Layer.empty)
    const start = now()
    for (let i = 0; i < cycles; i++) await runtime.runPromise(Effect.promise(() => rawCycle(url, payload)))
    const ms = now() - start
    await runtime.dispose()
    return ms
  }
}

const runEffect = <A, E>(effect: Effect.Effect<A, E, WebSocketClient>) =>
  Effect.runPromise(Effect.provide(effect, WebSocketClientLive))

/** Our Effect API's per-message contenders, on connections opened with `options` added. */
const effectMessaging = (
  name: string,
  options: { readonly coalesceWrites?: boolean }
): Pick<SocketContender, "name" | "sequential" | "pipelined"> => ({
  name,
  sequential: (url, count, payload) =>
    runEffect(Effect.scoped(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url, ...options })
      const latencies = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        const start = now()
        yield* client.send(connection, payload)
        yield* client.receive(connection)
        latencies[i] = now() - start
      }
      return latencies
    }))),
  // The same algorithm as raw ws: fill the window, then send one more for every reply.
  pipelined: (url, count, window, payload) =>
    runEffect(Effect.scoped(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const connection = yield* client.connect({ url, bufferSize: window * 2, ...options })
      const start = now()
      let sent = 0
      for (; sent < Math.min(window, count); sent++) yield* client.send(connection, payload)
      for (let received = 0; received < count; received++) {
        yield* client.receive(connection)
        if (sent < count) {
          sent++
          yield* client.send(connection, payload)
        }
      }
      return now() - start
    })))
})

/** Times `open` (`count` connections in one scope) and reads the live heap per connection before the scope closes. */
const openManyWith = <E>(
  open: (client: WebSocketClient["Type"]) => Effect.Effect<unknown, E, Scope.Scope>,
  count: number
) =>
  runEffect(Effect.gen(function*() {
    const client = yield* WebSocketClient
    const before = heapAfterGc()
    const start = now()
    return yield* Effect.scoped(Effect.gen(function*() {
      yield* open(client)
      const ms = now() - start
      return { ms, heapPerConnection: ((yield* Effect.promise(settledHeap)) - before) / count }
    }))
  }))

export const effectApi: SocketContender = {
  ...effectMessaging("Effect API", {}),
  requestCycles: (url, cycles, payload) =>
    runEffect(Effect.gen(function*() {
      const client = yield* WebSocketClient
      const start = now()
      for (let i = 0; i < cycles; i++) yield* client.request({ url, message: payload })
      return now() - start
    })),
  openMany: (url, count) =>
    openManyWith((client) => client.connectAll(Array.from({ length: count }, () => ({ url, timeout: "60 seconds" }))), count)
}

/** Opening many the way one opens many of anything in Effect: `Effect.forEach` over `connect`, a fiber each. */
export const effectApiForEach: Pick<SocketContender, "name" | "openMany"> = {
  name: "Effect API, Effect.forEach(connect)",
  openMany: (url, count) =>
    openManyWith((client) =>
      Effect.forEach(Array.from({ length: count }), () => client.connect({ url, timeout: "60 seconds" }), {
        concurrency: "unbounded",
        discard: true
      }), count)
}

/** The same, with the opt-in `coalesceWrites` (frames of one run leave in one write; `send` completes on buffering). */
export const effectApiCoalesced: SocketContender = effectMessaging("Effect API, coalesceWrites", { coalesceWrites: true })

export const promiseAdapter: SocketContender = {
  name: "Promise adapter",
  sequential: async (url, count, payload) => {
    const ws = createWebSocketInterface()
    const connection = await ws.execute("connect", { url })
    const latencies = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const start = now()
      await ws.execute("send", { connection, message: payload })
      await ws.execute("receive", { connection })
      latencies[i] = now() - start
    }
    await ws.dispose()
    return latencies
  },
  pipelined: async (url, count, window, payload) => {
    const ws = createWebSocketInterface()
    const connection = await ws.execute("connect", { url })
    const start = now()
    let sent = 0
    for (; sent < Math.min(window, count); sent++) await ws.execute("send", { connection, message: payload })
    for (let received = 0; received < count; received++) {
      await ws.execute("receive", { connection })
      if (sent < count) {
        sent++
        await ws.execute("send", { connection, message: payload })
      }
    }
    const ms = now() - start
    await ws.dispose()
    return ms
  },
  requestCycles: async (url, cycles, payload) => {
    const ws = createWebSocketInterface()
    const start = now()
    for (let i = 0; i < cycles; i++) await ws.execute("request", { url, message: payload })
    const ms = now() - start
    await ws.dispose()
    return ms
  }
}

const runPlatform = <A, E>(effect: Effect.Effect<A, E, Socket.WebSocketConstructor>) =>
  Effect.runPromise(Effect.provide(effect, NodeSocket.layerWebSocketConstructor))

/** @effect/platform Socket used the obvious way: runRaw into a Queue, writer for sends. */
const platformConnection = (url: string) =>
  Effect.gen(function*() {
    const socket = yield* Socket.makeWebSocket(url)
    const inbox = yield* Queue.unbounded<string | Uint8Array>()
    yield* Effect.forkScoped(socket.runRaw((data) => Queue.offer(inbox, data)))
    const write = yield* socket.writer
    return { inbox, write }
  })

export const platformSocket: SocketContender = {
  name: "@effect/platform Socket",
  sequential: (url, count, payload) =>
    runPlatform(Effect.scoped(Effect.gen(function*() {
      const { inbox, write } = yield* platformConnection(url)
      const latencies = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        const start = now()
        yield* write(JSON.stringify(payload))
        decode(yield* Queue.take(inbox))
        latencies[i] = now() - start
      }
      return latencies
    }))),
  pipelined: (url, count, window, payload) =>
    runPlatform(Effect.scoped(Effect.gen(function*() {
      const { inbox, write } = yield* platformConnection(url)
      const start = now()
      let sent = 0
      for (; sent < Math.min(window, count); sent++) yield* write(JSON.stringify(payload))
      for (let received = 0; received < count; received++) {
        decode(yield* Queue.take(inbox))
        if (sent < count) {
          sent++
          yield* write(JSON.stringify(payload))
        }
      }
      return now() - start
    })))
}
