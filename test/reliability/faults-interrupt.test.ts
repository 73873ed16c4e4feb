import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { WebSocketClient } from "../../src/index.js"
import { tcpServer } from "../core/servers.js"
import { realTransports } from "../core/transports.js"
import { faultCase } from "./harness.js"
import { rawServer } from "./rawServer.js"

/** Forks `blocked`, lets real I/O run until `ready`, interrupts it, and reports how the fiber ended. */
const interruptWhen = <A, E, R>(blocked: Effect.Effect<A, E, R>, ready: () => boolean) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(blocked)
    for (let i = 0; i < 1000 && !ready(); i++) yield* Effect.promise(() => new Promise((r) => setTimeout(r, 2)))
    expect(ready()).toBe(true)
    expect(fiber.unsafePoll()).toBeNull()
    return yield* Fiber.interrupt(fiber)
  })

describe.each(realTransports)("fault matrix, $name: interrupting blocked fibers leaves nothing behind", ({ client: clientLayer }) => {
  it.effect("a connect blocked in the handshake", () =>
    Effect.gen(function*() {
      let accepted = 0
      const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
        const server = yield* tcpServer(() => accepted++)
        const client = yield* WebSocketClient
        return yield* interruptWhen(Effect.scoped(client.connect({ url: `ws://127.0.0.1:${server.port}/` })), () => accepted === 1)
      }), clientLayer)
      expect(exit._tag === "Success" && Exit.isInterrupted(exit.value)).toBe(true)
      expect(stats).toMatchObject({ activeConnections: 0, connectionsOpened: 0 })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("a send blocked because the server stopped reading", () =>
    Effect.gen(function*() {
      const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
        let paused = false
        const server = yield* rawServer((connection) => {
          connection.socket.pause()
          paused = true
        })
        const client = yield* WebSocketClient
        const connection = yield* client.connect({ url: `ws://127.0.0.1:${server.port}/`, closeTimeout: "1 second" })
        // 64 MiB cannot all fit in the kernel's buffers while nobody reads, so the write callback never comes
        const big = new Uint8Array(64 * 1024 * 1024)
        const ended = yield* interruptWhen(client.send(connection, big), () => paused)
        const close = yield* Effect.fork(client.close(connection))
        yield* TestClock.adjust("1 second")
        return { ended, closed: yield* Fiber.await(close) }
      }), clientLayer)
      expect(exit._tag === "Success" && Exit.isInterrupted(exit.value.ended)).toBe(true)
      expect(stats).toMatchObject({ activeConnections: 0, connectionsClosed: 1 })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("a receive on a silent server, and a request to it", () =>
    Effect.gen(function*() {
      let opened = 0
      const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
        const server = yield* rawServer(() => opened++)
        const client = yield* WebSocketClient
        const url = `ws://127.0.0.1:${server.port}/`
        const connection = yield* client.connect({ url })
        const receive = yield* interruptWhen(client.receive(connection), () => opened === 1)
        const request = yield* interruptWhen(client.request({ url, message: "hello?" }), () => opened === 2)
        return [receive, request]
      }), clientLayer)
      expect(exit._tag === "Success" && exit.value.every(Exit.isInterrupted)).toBe(true)
      expect(stats.activeConnections).toBe(0)
      expect(leftOpen).toStrictEqual([])
    }))
})
