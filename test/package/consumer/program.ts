// Type-checked in a fresh project (strict, skipLibCheck false) under nodenext and bundler resolution: what a
// user writes against the published types, touching each layer of the public API.
import { Effect, Layer, Stream } from "effect"
import {
  type ConnectError,
  type Connection,
  createWebSocketInterface,
  GatewayLive,
  HomeAssistant,
  HomeAssistantLive,
  type HassEntity,
  websocketRequest,
  WebSocketClient,
  WebSocketClientLive,
  WebSocketInterface,
  WebSocketInterfaceLive
} from "effect-ws-gateway"
import { HomeAssistantSimulator, WebSocketTest } from "effect-ws-gateway/testing"

export const core = Effect.gen(function*() {
  const client = yield* WebSocketClient
  const connection: Connection = yield* client.connect({ url: "ws://127.0.0.1:8080", timeout: "5 seconds" })
  yield* client.send(connection, { type: "hello" })
  const reply = yield* client.receive(connection, { timeout: "1 second" })
  return JSON.stringify(reply)
}).pipe(
  Effect.scoped,
  Effect.catchTag("ConnectionRefused", (e) => Effect.succeed(`refused: ${e.detail}`)),
  Effect.catchTag("Timeout", (e) => Effect.succeed(`timed out: ${e.operation}`)),
  Effect.catchAll((e) => Effect.succeed(e._tag)),
  Effect.provide(WebSocketClientLive),
  Effect.catchTag("TransportUnavailable", (e) => Effect.succeed(e.message))
)

export const connectError = (error: ConnectError): string => error.message

export const viaInterface = Effect.gen(function*() {
  const ws = yield* WebSocketInterface
  const connection = yield* ws.execute("connect", { url: "ws://127.0.0.1:8080" })
  yield* ws.execute("close", { connection })
}).pipe(
  Effect.catchTag("InvalidParameter", (e) => Effect.succeed(e.message)),
  Effect.provide(WebSocketInterfaceLive.pipe(Layer.provide(WebSocketClientLive)))
)

export const viaGateway = websocketRequest({ url: "ws://127.0.0.1:8080", message: "hi" }).pipe(
  Effect.catchTag("UnknownInterface", (e) => Effect.succeed(e.message)),
  Effect.provide(GatewayLive)
)

export const viaPromises = async (): Promise<unknown> => {
  const ws = createWebSocketInterface()
  try {
    return await ws.execute("request", { url: "ws://127.0.0.1:8080", message: "hi" })
  } finally {
    await ws.dispose()
  }
}

export const lights = Effect.gen(function*() {
  const ha = yield* HomeAssistant
  const states: ReadonlyArray<HassEntity> = yield* ha.getStates()
  yield* ha.callService("light", "turn_on", { brightness: 200 }, { entity_id: "light.kitchen" })
  yield* ha.subscribeEvents("state_changed").pipe(Stream.take(1), Stream.runDrain)
  return states.filter((s) => s.entity_id.startsWith("light."))
}).pipe(
  Effect.provide(HomeAssistantLive({ url: "http://127.0.0.1:8123", accessToken: "token" })),
  Effect.catchTag("AuthInvalid", () => Effect.succeed([]))
)

export const simulator = HomeAssistantSimulator.make({ accessToken: "t" }).pipe(
  Effect.map((sim) => sim.url),
  Effect.scoped
)

export const inMemory = Effect.flatMap(WebSocketClient, (client) => client.request({ url: "ws://t.test/", message: "hi" })).pipe(
  Effect.provide(WebSocketTest.layer)
)

// The explicit entries have the same API; /node adds the ws transport, /web runs on any WHATWG WebSocket.
import * as Web from "effect-ws-gateway/web"
import { NodeTransportLive, WebSocketClientLayer } from "effect-ws-gateway/node"

export const onWeb = Effect.flatMap(Web.WebSocketClient, (client) => client.request({ url: "ws://127.0.0.1:8080", message: "hi" })).pipe(
  Effect.provide(Web.WebSocketClientLive)
)
export const onNode = Layer.provide(WebSocketClientLayer, NodeTransportLive)
