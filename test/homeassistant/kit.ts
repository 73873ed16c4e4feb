/** Shared fixtures of the Home Assistant tests: a simulator and a client on real loopback sockets. */
import { Context, Effect, Layer, Queue, type Scope, Stream, TestClock } from "effect"
import {
  type HassEntities,
  type HassEntity,
  HomeAssistant,
  HomeAssistantLayer,
  type HomeAssistantConnectionState,
  type HomeAssistantOptions,
  WebSocketClientLive
} from "../../src/index.js"
import { WebSocketServer } from "ws"
import { HomeAssistantSimulator, type SimulatorOptions } from "../../src/testing/index.js"

export const TOKEN = "tok-7f3a9c-secret-do-not-print"

/** A simulator and a client authenticated against it, both closed with the scope. */
export const connect = (
  options: Partial<HomeAssistantOptions> = {},
  simulatorOptions: SimulatorOptions = {}
): Effect.Effect<{ sim: HomeAssistantSimulator; ha: HomeAssistant["Type"] }, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const sim = yield* HomeAssistantSimulator.make({ accessToken: TOKEN, ...simulatorOptions })
    const context = yield* Layer.build(
      HomeAssistantLayer({ url: sim.httpUrl, accessToken: TOKEN, ...options }).pipe(Layer.provide(WebSocketClientLive))
    )
    return { sim, ha: Context.get(context, HomeAssistant) }
  })

/** A client on a simulator the test made itself (to set it up before the client connects). */
export const connectTo = (sim: HomeAssistantSimulator, options: Partial<HomeAssistantOptions> = {}) =>
  Effect.map(
    Layer.build(HomeAssistantLayer({ url: sim.httpUrl, accessToken: "t", ...options }).pipe(Layer.provide(WebSocketClientLive))),
    (context) => ({ ha: Context.get(context, HomeAssistant) })
  )

/** Waits (bounded) for real socket I/O to make `condition` true: the event loop runs between polls. */
export const eventually = (condition: () => boolean, what = "condition") =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      if (condition()) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

/** Waits until the client reports `state`. */
export const reachState = (ha: HomeAssistant["Type"], state: HomeAssistantConnectionState) =>
  ha.connectionStates.pipe(Stream.filter((s) => s === state), Stream.take(1), Stream.runDrain)

/** Waits until the simulator has accepted connection number `n`, it is the only one, and the client is connected. */
export const reconnected = (ha: HomeAssistant["Type"], sim: HomeAssistantSimulator, n: number) =>
  Effect.zipRight(
    eventually(() => sim.acceptedCount === n && sim.connectionCount === 1, `connection ${n}`),
    reachState(ha, "connected")
  )

/** Every value `stream` emits, in a queue the test reads; the stream runs until the scope closes. */
export const collect = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<A>()
    yield* Effect.forkScoped(Stream.runForEach(stream, (a) => Queue.offer(queue, a)))
    return queue
  })

/**
 * The next value of a debounced collection: its event crosses a real socket, then its refresh waits 500 ms on the
 * TestClock; so the clock is moved on in steps until the value is there (bounded).
 */
export const takeRefreshed = <A>(queue: Queue.Queue<A>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      const next = yield* Queue.poll(queue)
      if (next._tag === "Some") return next.value
      yield* TestClock.adjust("100 millis")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
    return yield* Effect.dieMessage("timed out waiting for a refreshed collection")
  })

/** The simulator's states as the entity store holds them (the compressed format carries no last_reported). */
export const truth = (states: ReadonlyArray<HassEntity>): HassEntities =>
  Object.fromEntries(states.map(({ last_reported: _, ...state }) => [state.entity_id, state]))

/**
 * A client on a minimal HA server of the test's own (127.0.0.1, a free port) that answers each command with the
 * frames `answer` gives for it (after `auth` and `supported_features`): for replies the simulator never sends.
 */
export const minimalHa = (answer: (message: { readonly id: number; readonly type: string }) => ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const server = yield* Effect.acquireRelease(
      Effect.async<WebSocketServer>((resume) => {
        const wss: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resume(Effect.succeed(wss)))
      }),
      (wss) =>
        Effect.async<void>((resume) => {
          for (const socket of wss.clients) socket.terminate()
          wss.close(() => resume(Effect.void))
        })
    )
    server.on("connection", (socket) => {
      socket.send(JSON.stringify({ type: "auth_required", ha_version: "2026.1.2" }))
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; id: number }
        if (message.type === "auth") return socket.send(JSON.stringify({ type: "auth_ok", ha_version: "2026.1.2" }))
        if (message.type === "supported_features") return socket.send(JSON.stringify({ id: message.id, type: "result", success: true, result: null }))
        for (const frame of answer(message)) socket.send(JSON.stringify(frame))
      })
    })
    const port = (server.address() as { port: number }).port
    const context = yield* Layer.build(
      HomeAssistantLayer({ url: `http://127.0.0.1:${port}`, accessToken: "t", heartbeat: false }).pipe(Layer.provide(WebSocketClientLive))
    )
    return Context.get(context, HomeAssistant)
  })
