/**
 * The fixed cost per call, measured so it means the same on any machine: CPU µs per sequential send→receive on the
 * in-memory echo transport (no socket, no event-loop wake-up), through the Effect API, the INT-07 interface as a
 * Layer, the gateway, and the Promise adapter.
 */
import { Context, Effect, Layer } from "effect"
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

const cpuMicros = <A>(body: () => Promise<A>) =>
  async (): Promise<number> => {
    const start = process.cpuUsage()
    await body()
    const used = process.cpuUsage(start)
    return used.user + used.system
  }

const inLayer = <I, S, E>(layer: Layer.Layer<I, E>, tag: Context.Tag<I, S>, use: (service: S) => Effect.Effect<number>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Effect.orDie(Layer.build(layer)), (context) => use(Context.get(context, tag)))))

const timed = (loop: Effect.Effect<void, unknown>) =>
  Effect.gen(function*() {
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
