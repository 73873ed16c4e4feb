/**
 * The Assist contenders: text round trips to HA's conversation agent on one authenticated connection, against the
 * bench's HA echo server (which answers `conversation/process` and runs `assist_pipeline/run` from intent to intent
 * with HA's events). Ours as `assist` (a pipeline run as a Stream, until `run-end`) and as `conversationProcess`;
 * home-assistant-js-websocket as its `sendMessagePromise` of the same `conversation/process`, and as its
 * `subscribeMessage` of the same run, the way HA's frontend runs Assist.
 */
import { Context, Effect, Layer, Stream } from "effect"
import { createConnection, createLongLivedTokenAuth } from "home-assistant-js-websocket"
import WebSocket from "ws"
import * as Current from "../../src/index.js"

export interface AssistContender {
  readonly name: string
  /** Runs `calls` sequential text round trips; returns the total milliseconds. */
  readonly ask: (httpUrl: string, token: string, calls: number) => Promise<number>
}

const TEXT = "turn on the kitchen light"

const ours = (name: string, ask: (ha: Current.HomeAssistant["Type"]) => Effect.Effect<unknown, unknown>): AssistContender => ({
  name,
  ask: (httpUrl, token, calls) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(
        Current.HomeAssistantLayer({ url: httpUrl, accessToken: token, heartbeat: false }).pipe(Layer.provide(Current.WebSocketClientLive))
      )
      const ha = Context.get(context, Current.HomeAssistant)
      const once = ask(ha)
      const start = performance.now()
      for (let i = 0; i < calls; i++) yield* once
      return performance.now() - start
    })))
})

/** Ours: `assist` with text, the whole run (run-start … run-end) as a Stream. */
export const oursAssist = ours("our HA client, assist (text run)", (ha) => Stream.runDrain(ha.assist({ input: { text: TEXT } })))

/** Ours: `conversationProcess`, decoded. */
export const oursConversation = ours("our HA client, conversationProcess", (ha) => ha.conversationProcess(TEXT))

const hawsConnection = (httpUrl: string, token: string) => {
  // HAWS uses the global WebSocket (Node 20 has none): give it ws, as its docs suggest for Node.
  ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
  return createConnection({ auth: createLongLivedTokenAuth(httpUrl, token) })
}

/** HAWS: `sendMessagePromise` of the same `conversation/process`. */
export const hawsConversation: AssistContender = {
  name: "home-assistant-js-websocket, sendMessagePromise conversation/process",
  ask: async (httpUrl, token, calls) => {
    const connection = await hawsConnection(httpUrl, token)
    const start = performance.now()
    for (let i = 0; i < calls; i++) await connection.sendMessagePromise({ type: "conversation/process", text: TEXT })
    const ms = performance.now() - start
    connection.close()
    return ms
  }
}

/** HAWS: `subscribeMessage` of the same run until `run-end`, then unsubscribed, as HA's frontend runs Assist. */
export const hawsAssist: AssistContender = {
  name: "home-assistant-js-websocket, subscribeMessage assist_pipeline/run",
  ask: async (httpUrl, token, calls) => {
    const connection = await hawsConnection(httpUrl, token)
    const message = { type: "assist_pipeline/run", start_stage: "intent", end_stage: "intent", input: { text: TEXT } }
    const start = performance.now()
    for (let i = 0; i < calls; i++) {
      let ended: () => void = () => undefined
      const done = new Promise<void>((resolve) => (ended = resolve))
      const unsubscribe = await connection.subscribeMessage<{ type: string }>((event) => {
        if (event.type === "run-end") ended()
      }, message)
      await done
      // not awaited, as HA's frontend (and ours) end a run; closing the connection may leave the last one unanswered
      unsubscribe().catch(() => undefined)
    }
    const ms = performance.now() - start
    connection.close()
    return ms
  }
}
