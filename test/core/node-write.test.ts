import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue } from "effect"
import WebSocket from "ws"
import { openNodeSocket } from "../../src/core/NodeTransport.js"
import type { TransportEvents, TransportSocket } from "../../src/core/Transport.js"
import { wsServer } from "./servers.js"

const noop = () => undefined

/** A socket of the Node transport, opened on `url` and closed with the scope. */
const openSocket = (url: string) =>
  Effect.acquireRelease(
    Effect.async<TransportSocket, Error>((resume) => {
      const events: TransportEvents = {
        onOpen: () => resume(Effect.succeed(socket)),
        onMessage: noop,
        onPong: noop,
        onFailure: (failure) => resume(Effect.fail(new Error(failure._tag))),
        onClose: noop
      }
      const socket = openNodeSocket(WebSocket, {
        url: new URL(url),
        redactedUrl: url,
        headers: {},
        protocols: [],
        maxPayload: 1 << 30,
        tls: undefined,
        checkAddress: undefined
      }, events)
    }),
    (socket) => Effect.sync(() => socket.terminate())
  )

describe("Node transport writes", () => {
  it.scoped("a frame the OS socket takes at once reports done before send returns", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const socket = yield* openSocket(server.url)
      const side = yield* Queue.take(server.connections)
      const outcomes: Array<string> = []
      socket.send("hello", (error) => outcomes.push(error === undefined ? "done" : error.message))
      expect(outcomes).toStrictEqual(["done"])
      const received = yield* Queue.take(side.received)
      expect(received.data.toString()).toBe("hello")
    }))

  it.scoped("a frame the OS socket cannot take at once reports done only once the peer reads it", () =>
    Effect.gen(function*() {
      const server = yield* wsServer({ maxPayload: 1 << 30 })
      const socket = yield* openSocket(server.url)
      const side = yield* Queue.take(server.connections)
      // The peer stops reading, so a frame larger than the kernel's socket buffers must wait in Node's buffer.
      const stream = (side.socket as unknown as { readonly _socket: { pause: () => void; resume: () => void } })._socket
      stream.pause()
      const outcomes: Array<string> = []
      const written = yield* Effect.async<void>((resume) => {
        socket.send(new Uint8Array(64 * 1024 * 1024), (error) => {
          outcomes.push(error === undefined ? "done" : error.message)
          resume(Effect.void)
        })
        expect(outcomes).toStrictEqual([])
        stream.resume()
      }).pipe(Effect.as(outcomes))
      expect(written).toStrictEqual(["done"])
      const received = yield* Queue.take(side.received)
      expect(received.data.length).toBe(64 * 1024 * 1024)
    }))

  it.scoped("a frame sent after the socket ended is refused, not reported as written", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const socket = yield* openSocket(server.url)
      socket.terminate()
      const outcome = yield* Effect.async<string>((resume) =>
        socket.send("late", (error) => resume(Effect.succeed(error === undefined ? "done" : "refused")))
      )
      expect(outcome).toBe("refused")
    }))
})
