/**
 * Interop with `@effect/platform`'s `Socket`: a `Connection` seen as a `Socket.Socket`, so code written against the
 * platform (`socket.run`, `socket.writer`, `Socket.toChannel`, `@effect/rpc`'s socket protocol) runs over a
 * connection with this client's guarantees: ordered delivery with nothing lost, typed close codes, scoped close.
 */
import * as Socket from "@effect/platform/Socket"
import * as Effect from "effect/Effect"
import type { Connection } from "../core/Connection.js"
import type { InboundMessage } from "../core/message.js"
import type { WebSocketClient } from "../core/WebSocketClient.js"

const encoder = new TextEncoder()

// A text frame holding a JSON object or array arrives parsed; the platform wants the text, so it is serialised
// again (the same JSON value; whitespace inside the original frame is not kept).
const asRaw = (message: InboundMessage): string | Uint8Array =>
  typeof message === "string" || message instanceof Uint8Array ? message : JSON.stringify(message)

const asBytes = (message: InboundMessage): Uint8Array => {
  const raw = asRaw(message)
  return typeof raw === "string" ? encoder.encode(raw) : raw
}

/**
 * `connection` as an `@effect/platform` `Socket.Socket`, written and closed through `client`. `run`/`runRaw` deliver
 * every message in order and end when the connection closes: cleanly for 1000 and 1006 (the platform's rule), else
 * with a `SocketCloseError` carrying the code and reason. The writer sends text and bytes, and a `CloseEvent` closes.
 */
export const toPlatformSocket = (client: WebSocketClient["Type"], connection: Connection): Socket.Socket => {
  const runWith = <D, _, E, R>(
    convert: (message: InboundMessage) => D,
    handler: (data: D) => Effect.Effect<_, E, R> | void,
    onOpen: Effect.Effect<void> | undefined
  ): Effect.Effect<void, Socket.SocketError | E, R> =>
    Effect.gen(function*() {
      if (onOpen !== undefined) yield* onOpen
      while (true) {
        const next = yield* Effect.either(client.receive(connection))
        if (next._tag === "Left") {
          const end = next.left
          const code = end._tag === "ConnectionClosed" || end._tag === "ProtocolError" ? end.code : 1006
          if (Socket.defaultCloseCodeIsError(code)) {
            return yield* new Socket.SocketCloseError({ reason: "Close", code, closeReason: "reason" in end ? end.reason : undefined })
          }
          return
        }
        const result = handler(convert(next.right))
        if (Effect.isEffect(result)) yield* result
      }
    })

  const write = (chunk: Uint8Array | string | Socket.CloseEvent): Effect.Effect<void, Socket.SocketError> =>
    Socket.isCloseEvent(chunk)
      ? Effect.mapError(
        client.close(connection, { code: chunk.code, ...(chunk.reason === undefined ? {} : { reason: chunk.reason }) }),
        (cause) => new Socket.SocketGenericError({ reason: "Write", cause })
      )
      : Effect.mapError(client.send(connection, chunk), (cause) => new Socket.SocketGenericError({ reason: "Write", cause }))

  return {
    [Socket.TypeId]: Socket.TypeId,
    run: (handler, options) => runWith(asBytes, handler, options?.onOpen),
    runRaw: (handler, options) => runWith(asRaw, handler, options?.onOpen),
    writer: Effect.succeed(write)
  }
}
