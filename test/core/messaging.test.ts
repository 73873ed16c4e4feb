import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { ConnectionClosed, InvalidMessage, Timeout } from "../../src/index.js"
import { connected, run } from "./kit.js"



describe("send", () => {
  it.effect("a string goes as a text frame, an object or array as JSON text, bytes as a binary frame", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      yield* client.send(connection, "hello")
      yield* client.send(connection, { type: "ping", id: 1 })
      yield* client.send(connection, [1, "two"])
      yield* client.send(connection, new Uint8Array([1, 2, 3]))
      expect(peer.sent).toStrictEqual(["hello", "{\"type\":\"ping\",\"id\":1}", "[1,\"two\"]", new Uint8Array([1, 2, 3])])
      expect(yield* client.getStats).toMatchObject({ messagesSent: 4, bytesSent: 5 + 22 + 9 + 3 })
    })))

  it.effect.each<[string, unknown, string]>([
    ["a BigInt", { n: 1n }, "a BigInt has no JSON form"],
    ["a function", { f: () => 1 }, "a function has no JSON form"],
    ["a Symbol", { s: Symbol("x") }, "a Symbol has no JSON form"],
    ["a Map", { m: new Map() }, "a Map or Set would be sent as {}"],
    ["a number", 42, "expected a string, Uint8Array, plain object or array, got number"],
    ["undefined", undefined, "expected a string, Uint8Array, plain object or array, got undefined"],
    ["null", null, "expected a string, Uint8Array, plain object or array, got null"],
    ["a class instance", new Date(0), "expected a string, Uint8Array, plain object or array, got object"]
  ])("%s is an InvalidMessage and nothing is written", ([, message, reason]) =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const exit = yield* Effect.exit(client.send(connection, message as never))
      expect(exit).toStrictEqual(Exit.fail(new InvalidMessage({ reason })))
      expect(peer.sent).toStrictEqual([])
    })))

  it.effect("a cyclic object is an InvalidMessage", () =>
    run(Effect.gen(function*() {
      const { client, connection } = yield* connected
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const exit = yield* Effect.exit(client.send(connection, cyclic))
      expect(exit).toStrictEqual(Exit.fail(new InvalidMessage({ reason: "the object contains a cycle" })))
    })))

  it.effect("a write the socket does not take in time fails with Timeout", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      peer.stallWrites = true
      const fiber = yield* Effect.fork(client.send(connection, "slow", { timeout: "2 seconds" }))
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "send", after: Duration.seconds(2) }))
      )
    })))

  it.effect("a write still waiting when the connection drops fails with ConnectionClosed instead of hanging", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      peer.stallWrites = true
      const fiber = yield* Effect.fork(client.send(connection, "held"))
      yield* Effect.yieldNow()
      yield* peer.drop
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new ConnectionClosed({ code: 1006, reason: "" })))
      // The transport's late verdict on that write changes nothing.
      yield* peer.releaseWrites
      expect(yield* client.getStats).toMatchObject({ messagesSent: 0, activeConnections: 0 })
    })))

  it.effect("send completes only once the socket has taken the data", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      peer.stallWrites = true
      const fiber = yield* Effect.fork(client.send(connection, "held"))
      yield* Effect.yieldNow()
      expect(fiber.unsafePoll()).toBeNull()
      yield* peer.releaseWrites
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.void)
    })))

  it.effect("send after close fails with ConnectionClosed", () =>
    run(Effect.gen(function*() {
      const { client, connection } = yield* connected
      yield* client.close(connection)
      const exit = yield* Effect.exit(client.send(connection, "late"))
      expect(exit).toStrictEqual(Exit.fail(new ConnectionClosed({ code: 1000, reason: "" })))
    })))
})

describe("receive", () => {
  it.effect("object and array JSON text is parsed, other text stays raw, binary is bytes", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      yield* peer.push("{\"a\":1}")
      yield* peer.push("  [1,2]")
      yield* peer.push("42")
      yield* peer.push("\"quoted\"")
      yield* peer.push("{not json")
      yield* peer.pushBinary(new Uint8Array([9, 8]))
      const received = yield* Effect.replicateEffect(client.receive(connection), 6)
      expect(received).toStrictEqual([{ a: 1 }, [1, 2], "42", "\"quoted\"", "{not json", new Uint8Array([9, 8])])
    })))

  it.effect("waits for the next message when none is buffered", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const fiber = yield* Effect.fork(client.receive(connection))
      yield* Effect.yieldNow()
      expect(fiber.unsafePoll()).toBeNull()
      yield* peer.push("late")
      expect(yield* Fiber.join(fiber)).toBe("late")
    })))

  it.effect("times out on a silent server after the given duration", () =>
    run(Effect.gen(function*() {
      const { client, connection } = yield* connected
      const fiber = yield* Effect.fork(client.receive(connection, { timeout: "30 seconds" }))
      yield* TestClock.adjust("30 seconds")
      expect(yield* Fiber.await(fiber)).toStrictEqual(
        Exit.fail(new Timeout({ operation: "receive", after: Duration.seconds(30) }))
      )
    })))

  it.effect("messages queued before the peer closed are delivered, then ConnectionClosed with its code", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      yield* peer.push("one")
      yield* peer.push("two")
      yield* peer.close(4000, "bye")
      expect(yield* client.receive(connection)).toBe("one")
      expect(yield* client.receive(connection)).toBe("two")
      const closed = new ConnectionClosed({ code: 4000, reason: "bye" })
      expect(yield* Effect.exit(client.receive(connection))).toStrictEqual(Exit.fail(closed))
      expect(yield* Effect.exit(client.receive(connection))).toStrictEqual(Exit.fail(closed))
    })))

  it.effect("a receiver waiting when the connection drops gets ConnectionClosed 1006", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const fiber = yield* Effect.fork(client.receive(connection))
      yield* Effect.yieldNow()
      yield* peer.drop
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new ConnectionClosed({ code: 1006, reason: "" })))
      expect(yield* client.getStats).toMatchObject({ activeConnections: 0, connectionsClosed: 1 })
    })))

  it.effect("a protocol violation surfaces as ProtocolError with the client's close code", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      yield* peer.push("before")
      yield* peer.violateProtocol(1007, "invalid UTF-8 sequence")
      expect(yield* client.receive(connection)).toBe("before")
      const error = yield* Effect.flip(client.receive(connection))
      expect(error).toMatchObject({ _tag: "ProtocolError", code: 1007, reason: "invalid UTF-8 sequence" })
    })))

  it.effect("concurrent receivers each get a different message, in arrival order", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(client.receive(connection)))
      yield* Effect.yieldNow()
      yield* Effect.forEach(["a", "b", "c"], (m) => peer.push(m))
      const got = yield* Effect.forEach(fibers, Fiber.join)
      expect([...got].sort()).toStrictEqual(["a", "b", "c"])
    })))

  it.effect("an interrupted receiver loses no message: the next receiver gets it", () =>
    run(Effect.gen(function*() {
      const { client, connection, peer } = yield* connected
      const first = yield* Effect.fork(client.receive(connection))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      yield* peer.push("kept")
      expect(yield* client.receive(connection)).toBe("kept")
    })))
})

describe("messages stream", () => {
  it.effect("streams every message in order, then fails with ConnectionClosed", () =>
    run(Effect.gen(function*() {
      const { connection, peer } = yield* connected
      yield* Effect.forEach(["m1", "m2", "m3"], (m) => peer.push(m))
      yield* peer.close(1000, "done")
      const exit = yield* Effect.exit(
        connection.messages.pipe(Stream.runCollect)
      )
      expect(exit).toStrictEqual(Exit.fail(new ConnectionClosed({ code: 1000, reason: "done" })))
    })))

  it.effect("delivers messages that arrive while it is being consumed", () =>
    run(Effect.gen(function*() {
      const { connection, peer } = yield* connected
      const fiber = yield* Effect.fork(connection.messages.pipe(Stream.take(3), Stream.runCollect))
      yield* Effect.yieldNow()
      yield* Effect.forEach(["x", "y", "z"], (m) => peer.push(m))
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toStrictEqual(["x", "y", "z"])
    })))
})
