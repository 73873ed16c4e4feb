/**
 * The fixed cost per call, measured so it means the same on any machine: CPU µs per sequential send→receive on the
 * in-memory echo transport (no socket, no event-loop wake-up), through the Effect API, the INT-07 interface as a
 * Layer, the gateway, and the Promise adapter.
 */
import { Context, Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { WebSocketClient } from "../../src/core/WebSocketClient.js"
import { clientOn, gatewayOn, interfaceOn } from "../../src/defaults.js"
import { Gateway } from "../../src/gateway/Gateway.js"
import { WebSocketInterface, WebSocketInterfaceLive } from "../../src/interface/WebSocketInterface.js"
import { EchoTransport } from "./echoTransport.js"

const URL = "ws://127.0.0.1/echo"
const client = clientOn(EchoTransport)

/** A CPU-cost contender: runs `count` send→receive pairs and returns the CPU µs they took. */
export interface CpuContender {
  readonly name: string
  readonly run: (count: number, payload: Readonly<Record<string, unknown>>) => Promise<number>
}

// Each measurement starts from a collected heap, so no contender pays for the garbage of the one before it.
const collect = () => (globalThis as { gc?: () => void }).gc?.()

const cpuMicros = <A>(body: () => Promise<A>) =>
  async (): Promise<number> => {
    collect()
    const start = process.cpuUsage()
    await body()
    const used = process.cpuUsage(start)
    return used.user + used.system
  }

const inLayer = <I, S, E>(layer: Layer.Layer<I, E>, tag: Context.Tag<I, S>, use: (service: S) => Effect.Effect<number>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Effect.orDie(Layer.build(layer)), (context) => use(Context.get(context, tag)))))

const timed = (loop: Effect.Effect<void, unknown>) =>
  Effect.gen(function*() {
    collect()
    const start = process.cpuUsage()
    yield* Effect.orDie(loop)
    const used = process.cpuUsage(start)
    return used.user + used.system
  })

export const effectApiCpu: CpuContender = {
  name: "Effect API",
  run: (count, payload) =>
    inLayer(client, WebSocketClient, (ws) =>
      Effect.scoped(Effect.gen(function*() {
        const connection = yield* Effect.orDie(ws.connect({ url: URL }))
        return yield* timed(Effect.gen(function*() {
          for (let i = 0; i < count; i++) {
            yield* ws.send(connection, payload)
            yield* ws.receive(connection)
          }
        }))
      })))
}

export const interfaceCpu: CpuContender = {
  name: "INT-07 interface (Layer)",
  run: (count, payload) =>
    inLayer(WebSocketInterfaceLive.pipe(Layer.provide(client)), WebSocketInterface, (ws) =>
      Effect.gen(function*() {
        const connection = yield* Effect.orDie(ws.execute("connect", { url: URL }))
        return yield* timed(Effect.gen(function*() {
          for (let i = 0; i < count; i++) {
            yield* ws.execute("send", { connection, message: payload })
            yield* ws.execute("receive", { connection })
          }
        }))
      }))
}

export const gatewayCpu: CpuContender = {
  name: "gateway",
  run: (count, payload) =>
    inLayer(gatewayOn(client), Gateway, (gateway) =>
      Effect.gen(function*() {
        const connection = yield* Effect.orDie(gateway.execute("websocket", "connect", { url: URL }))
        return yield* timed(Effect.gen(function*() {
          for (let i = 0; i < count; i++) {
            yield* gateway.execute("websocket", "send", { connection, message: payload })
            yield* gateway.execute("websocket", "receive", { connection })
          }
        }))
      }))
}

export const adapterCpu: CpuContender = {
  name: "Promise adapter",
  run: async (count, payload) => {
    const ws = interfaceOn(client)()
    const connection = await ws.execute("connect", { url: URL })
    const micros = await cpuMicros(async () => {
      for (let i = 0; i < count; i++) {
        await ws.execute("send", { connection, message: payload })
        await ws.execute("receive", { connection })
      }
    })()
    await ws.dispose()
    return micros
  }
}

/**
 * The least a Promise API over Effect costs: the Effect API's send and receive, each run as its own fiber through a
 * `ManagedRuntime` (what any adapter must do per call), with no dispatch in between.
 */
export const adapterFloorCpu: CpuContender = {
  name: "floor: Effect API, a fiber per call",
  run: async (count, payload) => {
    const runtime = ManagedRuntime.make(client)
    const ws = await runtime.runPromise(WebSocketClient)
    const scope = Effect.runSync(Scope.make())
    const connection = await runtime.runPromise(Scope.extend(ws.connect({ url: URL }), scope))
    const micros = await cpuMicros(async () => {
      for (let i = 0; i < count; i++) {
        await runtime.runPromise(ws.send(connection, payload))
        await runtime.runPromise(ws.receive(connection))
      }
    })()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
    return micros
  }
}
