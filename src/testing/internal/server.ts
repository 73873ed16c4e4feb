/**
 * The simulator's listener: one HTTP server on 127.0.0.1 that serves `/auth/token` and upgrades `/api/websocket`,
 * as HA serves both on one port. Node modules load on first use, so the test kit's other parts import anywhere.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import * as Effect from "effect/Effect"
import type { WebSocketServer } from "ws"

/** A listening simulator endpoint. */
export interface Listener {
  readonly http: Server
  readonly wss: WebSocketServer
}

/** Listens on `port` (0: a free one); `onHttp` answers every plain HTTP request. */
export const listen = (
  port: number,
  onHttp: (request: IncomingMessage, response: ServerResponse) => void
): Effect.Effect<Listener> =>
  Effect.flatMap(
    Effect.promise(() => Promise.all([import("node:http"), import("ws")])),
    ([{ createServer }, { WebSocketServer }]) =>
      Effect.async<Listener>((resume) => {
        const http = createServer(onHttp)
        const wss = new WebSocketServer({ server: http, path: "/api/websocket" })
        http.listen(port, "127.0.0.1", () => resume(Effect.succeed({ http, wss })))
      })
  )

/** Terminates every connection (WebSocket and HTTP keep-alive) and releases the port. */
export const close = (listener: Listener): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    for (const client of listener.wss.clients) client.terminate()
    listener.wss.close()
    listener.http.closeAllConnections()
    listener.http.close(() => resume(Effect.void))
  })
