import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Queue } from "effect"
import {
  HomeAssistant,
  HomeAssistantLayer,
  WebSocketClient,
  WebSocketClientLive,
  WebSocketInterface,
  WebSocketInterfaceLive
} from "../../src/index.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { wsServer } from "../core/servers.js"
import { SECRETS, secretHeaders } from "./harness.js"

const printed = (value: unknown): string =>
  [String(value), JSON.stringify(value) ?? "", inspect(value, { depth: 8, showHidden: true, getters: true })].join("\n")

describe("no library object prints a credential", () => {
  it.scoped("connections, handles, stats and services hide headers, URL passwords and tokens", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const url = `ws://user:${SECRETS.password}@127.0.0.1:${server.port}/?access_token=${SECRETS.token}`
      const client = yield* WebSocketClient
      const ws = yield* WebSocketInterface
      const connection = yield* client.connect({ url, headers: secretHeaders })
      const handle = yield* ws.execute("connect", { url, headers: secretHeaders })
      yield* Queue.take(server.connections)
      const sim = yield* HomeAssistantSimulator.make({ accessToken: SECRETS.token })
      const ha = yield* Layer.build(
        HomeAssistantLayer({ url: sim.httpUrl, accessToken: SECRETS.token }).pipe(Layer.provide(WebSocketClientLive))
      ).pipe(Effect.map((context) => context.unsafeMap.get(HomeAssistant.key)))
      const objects = [connection, handle, yield* client.getStats, yield* ws.execute("get_stats"), client, ws, ha]
      const everything = objects.map(printed).join("\n")
      for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret)
      expect(printed(connection)).toContain(`ws://127.0.0.1:${server.port}/`)
    }).pipe(Effect.provide(WebSocketInterfaceLive.pipe(Layer.provideMerge(WebSocketClientLive)))))
})
