// A CommonJS TypeScript file: under `module: nodenext` (TypeScript >= 5.8) it may require the ESM package.
import { Effect } from "effect"
import { WebSocketClient, WebSocketClientLive } from "effect-ws-gateway"

export const reply = Effect.flatMap(WebSocketClient, (client) => client.request({ url: "ws://127.0.0.1:8080", message: "hi" })).pipe(
  Effect.provide(WebSocketClientLive)
)
