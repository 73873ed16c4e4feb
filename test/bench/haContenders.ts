/**
 * The Home Assistant contenders: `call_service` round trips on one authenticated connection — our client,
 * home-assistant-js-websocket (HAWS 9, with `ws` as its WebSocket), and a hand-written raw `ws` client.
 */
import { Context, Effect, Layer } from "effect"
import { callService, createConnection, createLongLivedTokenAuth } from "home-assistant-js-websocket"
import WebSocket from "ws"
import { HomeAssistant, HomeAssistantLayer, WebSocketClientLive } from "../../src/index.js"

export interface HaContender {
  readonly name: string
  /** Runs `calls` sequential light.toggle calls; returns the total milliseconds. */
  readonly callServices: (httpUrl: string, token: string, calls: number) => Promise<number>
}

const target = { entity_id: "light.kitchen" }

export const ours: HaContender = {
  name: "our HA client",
  callServices: (httpUrl, token, calls) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(
        HomeAssistantLayer({ url: httpUrl, accessToken: token, heartbeat: false }).pipe(Layer.provide(WebSocketClientLive))
      )
      const ha = Context.get(context, HomeAssistant)
      const start = performance.now()
      for (let i = 0; i < calls; i++) yield* ha.callService("light", "toggle", undefined, target)
      return performance.now() - start
    })))
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

/** A hand-written HA session on raw `ws`: authenticates, then routes each result to the waiter under its id. */
const rawHaSession = async (httpUrl: string, token: string) => {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, "ws")}/api/websocket`, { perMessageDeflate: false })
  const pending = new Map<number, (message: unknown) => void>()
  let authed: () => void = () => undefined
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: number }
    if (message.type === "auth_required") socket.send(JSON.stringify({ type: "auth", access_token: token }))
    else if (message.type === "auth_ok") authed()
    else if (message.id !== undefined) pending.get(message.id)?.(message)
  })
  await new Promise<void>((resolve) => (authed = resolve))
  const callServiceMessage = (id: number) =>
    JSON.stringify({ id, type: "call_service", domain: "light", service: "toggle", target })
  return { socket, pending, callServiceMessage }
}

export const rawHa: HaContender = {
  name: "raw ws (hand-written)",
  callServices: async (httpUrl, token, calls) => {
    const { callServiceMessage, pending, socket } = await rawHaSession(httpUrl, token)
    const start = performance.now()
    for (let id = 1; id <= calls; id++) {
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
      for (let id = 1; id <= calls; id++) {
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
