import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Queue } from "effect"
import { ConnectionClosed, ProtocolError, WebSocketClient } from "../../src/index.js"
import { sendAll, wsServer } from "../core/servers.js"
import { faultCase, recorded, SECRETS, secretHeaders, secretUrl } from "./harness.js"
import { frame, rawServer } from "./rawServer.js"

/** A raw server that sends "before", then `bad`; the client receives, then fails; the server reads its close code. */
const violation = (bad: Buffer, connectExtra: Record<string, unknown> = {}) =>
  faultCase(Effect.gen(function*() {
    const sent = yield* Deferred.make<Deferred.Deferred<number>>()
    const server = yield* rawServer((connection) => {
      connection.socket.write(Buffer.concat([frame(0x81, "before"), bad]))
      Deferred.unsafeDone(sent, Exit.succeed(connection.closeCode))
    })
    const client = yield* WebSocketClient
    const connection = yield* client.connect({ url: secretUrl(server.port), headers: secretHeaders, ...connectExtra })
    const first = yield* client.receive(connection)
    const failure = yield* Effect.flip(client.receive(connection))
    const closeCodeSent = yield* Deferred.await(yield* Deferred.await(sent))
    return { first, failure, closeCodeSent }
  }))

describe("fault matrix: protocol violations from a raw server", () => {
  it.effect.each<[string, Buffer, number, string, Record<string, unknown>]>([
    ["reserved bits set", frame(0xc1, "x"), 1002, "Invalid WebSocket frame: RSV1 must be clear", {}],
    ["an unknown opcode", frame(0x83, "x"), 1002, "Invalid WebSocket frame: invalid opcode 3", {}],
    ["a fragmented control frame", frame(0x09, ""), 1002, "Invalid WebSocket frame: FIN must be set", {}],
    ["a control frame over 125 bytes", frame(0x89, Buffer.alloc(126)), 1002, "Invalid WebSocket frame: invalid payload length 126", {}],
    ["invalid UTF-8 in a text frame", frame(0x81, Buffer.from([0xff, 0xfe])), 1007, "Invalid WebSocket frame: invalid UTF-8 sequence", {}],
    ["a message over maxPayload", frame(0x81, "x".repeat(17)), 1009, "Max payload size exceeded", { maxPayload: 16 }],
    ["a close frame with an invalid code", frame(0x88, Buffer.from([0x03, 0xed])), 1002, "Invalid WebSocket frame: invalid status code 1005", {}]
  ])("%s → ProtocolError with the close code the client sent", ([, bad, code, reason, extra]) =>
    Effect.gen(function*() {
      const { exit, leftOpen, stats } = yield* violation(bad, extra)
      expect(exit).toStrictEqual(Exit.succeed({ first: "before", failure: new ProtocolError({ code, reason }), closeCodeSent: code }))
      expect(stats.activeConnections).toBe(0)
      expect(leftOpen).toStrictEqual([])
    }))
})

describe("fault matrix: closes and drops", () => {
  it.effect.each<[number, string]>([[1000, ""], [1001, "going away"], [4000, "bye"]])(
    "a clean server close %d %j → ConnectionClosed with it, after every message sent before it",
    ([code, reason]) =>
      Effect.gen(function*() {
        const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
          const server = yield* wsServer()
          const client = yield* WebSocketClient
          const connection = yield* client.connect({ url: server.url, headers: secretHeaders })
          const side = yield* Queue.take(server.connections)
          yield* sendAll(side.socket, ["1", "2", "3"])
          side.socket.close(code, reason)
          const messages = yield* Effect.replicateEffect(client.receive(connection), 3)
          const failure = yield* Effect.flip(client.receive(connection))
          return { messages, failure }
        }))
        expect(exit).toStrictEqual(Exit.succeed({ messages: ["1", "2", "3"], failure: new ConnectionClosed({ code, reason }) }))
        expect(stats.activeConnections).toBe(0)
        expect(leftOpen).toStrictEqual([])
      })
  )

  it.effect("the server destroying the TCP socket mid-stream → ConnectionClosed 1006 to a waiting receive", () =>
    Effect.gen(function*() {
      const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
        const server = yield* wsServer()
        const client = yield* WebSocketClient
        const connection = yield* client.connect({ url: server.url })
        const side = yield* Queue.take(server.connections)
        yield* sendAll(side.socket, ["kept"])
        expect(yield* client.receive(connection)).toBe("kept")
        const waiting = yield* Effect.fork(client.receive(connection))
        yield* Effect.yieldNow()
        ;(side.socket as unknown as { _socket: { destroy(): void } })._socket.destroy()
        return yield* Fiber.join(waiting)
      }))
      expect(exit).toStrictEqual(Exit.fail(new ConnectionClosed({ code: 1006, reason: "" })))
      expect(stats).toMatchObject({ activeConnections: 0, connectionsClosed: 1 })
      expect(leftOpen).toStrictEqual([])
    }))
})

describe("fault matrix: secrets", () => {
  it("nothing recorded during these cases holds a secret", () => {
    expect(recorded.length).toBeGreaterThan(20)
    const everything = recorded.join("\n")
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret)
  })
})
