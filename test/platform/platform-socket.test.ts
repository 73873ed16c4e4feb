// A Connection as @effect/platform's Socket, driven through the platform's own API, on the in-memory kit.
import { describe, expect, it } from "@effect/vitest"
import * as Socket from "@effect/platform/Socket"
import { Chunk, Effect, Exit, Fiber, Stream } from "effect"
import { toPlatformSocket } from "../../src/index.js"
import { connected, run } from "../core/kit.js"

describe("toPlatformSocket", () => {
  it.effect("runRaw delivers text, JSON text and bytes in order, and a 1000 close ends it cleanly", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const socket = toPlatformSocket(client, connection)
      const seen: Array<string | Uint8Array> = []
      const running = yield* Effect.fork(socket.runRaw((data) => void seen.push(data)))
      yield* peer.push("a")
      yield* peer.push({ x: 1 })
      yield* peer.pushBinary(new Uint8Array([1, 2]))
      yield* peer.close(1000, "")
      expect(yield* Fiber.await(running)).toStrictEqual(Exit.void)
      expect(seen).toStrictEqual(["a", "{\"x\":1}", new Uint8Array([1, 2])])
    })))

  it.effect("run hands every message as bytes; a close with another code fails with the platform's SocketCloseError", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const socket = toPlatformSocket(client, connection)
      const seen: Array<Uint8Array> = []
      const running = yield* Effect.fork(socket.run((data) => void seen.push(data)))
      yield* peer.push("hé")
      yield* peer.close(4001, "gone")
      const exit = yield* Fiber.await(running)
      expect(exit).toStrictEqual(Exit.fail(new Socket.SocketCloseError({ reason: "Close", code: 4001, closeReason: "gone" })))
      expect(seen).toStrictEqual([new TextEncoder().encode("hé")])
    })))

  it.effect("the writer sends text and bytes, and a CloseEvent closes with its code and reason", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const write = yield* toPlatformSocket(client, connection).writer
      yield* write("hello")
      yield* write(new Uint8Array([9]))
      expect(yield* peer.receive).toBe("hello")
      expect(yield* peer.receive).toStrictEqual(new Uint8Array([9]))
      yield* write(new Socket.CloseEvent(4000, "done"))
      expect(peer.closeFrame).toStrictEqual({ code: 4000, reason: "done" })
      const late = yield* Effect.flip(write("late"))
      expect(late).toBeInstanceOf(Socket.SocketGenericError)
      expect(late.reason).toBe("Write")
    })))

  it.effect("Socket.toChannel over it: a stream written in, the server's answers streamed out", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const socket = toPlatformSocket(client, connection)
      // The server answers each message with its upper case, then closes after two.
      yield* Effect.fork(Effect.gen(function*() {
        for (let i = 0; i < 2; i++) yield* peer.push(String(yield* peer.receive).toUpperCase())
        yield* peer.close(1000, "")
      }))
      const answers = yield* Stream.make("one", "two").pipe(
        Stream.pipeThroughChannel(Socket.toChannelString(socket)),
        Stream.runCollect
      )
      expect(Chunk.toReadonlyArray(answers)).toStrictEqual(["ONE", "TWO"])
    })))
})
