import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Queue } from "effect"
import { generate } from "selfsigned"
import WebSocket from "ws"
import { openNodeSocket } from "../../src/platform/node/NodeTransport.js"
import type { TransportEvents, TransportSocket } from "../../src/core/Transport.js"
import { wsServer, wssServer } from "./servers.js"

const noop = () => undefined

/** Lets pending ticks and I/O callbacks run, so a report made too early would be seen. */
const afterIo = Effect.promise(() => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve))))

/** A socket of the Node transport, opened on `url` and closed with the scope, with the write reports it made. */
const openSocket = (url: string, coalesceWrites = false, ca?: string) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const reports = yield* Queue.unbounded<string>()
      const socket = yield* Effect.async<TransportSocket, Error>((resume) => {
        const events: TransportEvents = {
          onOpen: () => resume(Effect.succeed(socket)),
          onMessage: noop,
          onPong: noop,
          onFailure: (failure) => resume(Effect.fail(new Error(failure._tag))),
          onClose: noop,
          onWritten: (error) => Queue.unsafeOffer(reports, error === undefined ? "written" : "failed")
        }
        const socket = openNodeSocket(WebSocket, {
          url: new URL(url),
          redactedUrl: url,
          headers: {},
          protocols: [],
          maxPayload: 1 << 30,
          tls: ca === undefined ? undefined : { ca },
          checkAddress: undefined,
          coalesceWrites
        }, events)
      })
      return { socket, reports }
    }),
    ({ socket }) => Effect.sync(() => socket.terminate())
  )

/** The TCP stream under the server's side of a connection, to stop and restart its reading. */
const peerStream = (socket: WebSocket) =>
  (socket as unknown as { readonly _socket: { pause: () => void; resume: () => void } })._socket

/** The TCP stream under the transport's `ws` socket (test-only peek at internals). */
const streamUnder = (socket: TransportSocket) =>
  (socket as unknown as { readonly socket: { readonly _socket: { readonly writableCorked: number; readonly writableLength: number } } })
    .socket._socket

/**
 * Frames of `sizesMiB` sent while the peer is not reading are each pending (larger than the kernel's socket buffers),
 * are not reported while the peer still does not read, and once it reads are reported written once each, in order.
 */
const pendingUntilRead = (sizesMiB: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const server = yield* wsServer({ maxPayload: 1 << 30 })
    const { reports, socket } = yield* openSocket(server.url)
    const side = yield* Queue.take(server.connections)
    const stream = peerStream(side.socket)
    stream.pause()
    const sizes = sizesMiB.map((mib) => mib * 1024 * 1024)
    expect(sizes.map((size) => socket.send(new Uint8Array(size).fill(size >> 20)))).toStrictEqual(sizes.map(() => "pending"))
    yield* afterIo
    expect(yield* Queue.size(reports)).toBe(0)
    stream.resume()
    expect(yield* Effect.forEach(sizes, () => Queue.take(reports))).toStrictEqual(sizes.map(() => "written"))
    const received = yield* Effect.forEach(sizes, () => Queue.take(side.received))
    expect(received.map((r) => [r.data.length, r.data[0]])).toStrictEqual(sizes.map((size) => [size, size >> 20]))
    expect(yield* Queue.size(reports)).toBe(0)
  })

describe("Node transport writes", () => {
  it.scoped("a frame the OS socket takes at once is reported written by send itself, and never again", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { reports, socket } = yield* openSocket(server.url)
      const side = yield* Queue.take(server.connections)
      expect(socket.send("hello")).toBe("written")
      const received = yield* Queue.take(side.received)
      expect(received.data.toString()).toBe("hello")
      // ws's own callback for that write has run by now; it must not be reported a second time.
      expect(socket.send("again")).toBe("written")
      yield* Queue.take(side.received)
      expect(yield* Queue.size(reports)).toBe(0)
    }))

  it.scoped("a frame the OS socket cannot take at once is pending until the peer reads it, then reported once", () =>
    pendingUntilRead([64]))

  it.scoped("several frames waiting behind each other are each reported once, in order, as the peer reads them", () =>
    pendingUntilRead([32, 1, 16]))

  it.scoped("over TLS, a frame the peer is not reading is pending, then reported written once the peer reads", () =>
    Effect.gen(function*() {
      const pem = yield* Effect.promise(() =>
        generate([{ name: "commonName", value: "127.0.0.1" }], {
          keyType: "ec",
          curve: "P-256",
          extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }]
        })
      )
      const server = yield* wssServer({ key: pem.private, cert: pem.cert })
      const lengths = yield* Queue.unbounded<number>()
      server.server.on("connection", (side) => side.on("message", (data: Buffer) => Queue.unsafeOffer(lengths, data.length)))
      const { reports, socket } = yield* openSocket(server.url, false, pem.cert)
      const tcp = [...server.sockets][0] as unknown as { pause: () => void; resume: () => void }
      tcp.pause()
      expect(socket.send(new Uint8Array(64 * 1024 * 1024))).toBe("pending")
      yield* afterIo
      expect(yield* Queue.size(reports)).toBe(0)
      tcp.resume()
      expect(yield* Queue.take(reports)).toBe("written")
      expect(yield* Queue.take(lengths)).toBe(64 * 1024 * 1024)
      expect(yield* Queue.size(reports)).toBe(0)
    }))

  it.scoped("coalescing: a run's first frame goes straight out, the rest wait corked for the run to end, in order", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { reports, socket } = yield* openSocket(server.url, true)
      const side = yield* Queue.take(server.connections)
      const stream = streamUnder(socket)
      expect(socket.send("a")).toBe("written")
      expect(stream.writableCorked).toBe(0)
      expect(stream.writableLength).toBe(0)
      expect([socket.send("b"), socket.send("c")]).toStrictEqual(["written", "written"])
      expect(stream.writableCorked).toBe(1)
      expect(stream.writableLength).toBeGreaterThan(0)
      yield* Effect.promise(() => Promise.resolve())
      expect(stream.writableCorked).toBe(0)
      const received = yield* Effect.forEach([1, 2, 3], () => Queue.take(side.received))
      expect(received.map((r) => r.data.toString())).toStrictEqual(["a", "b", "c"])
      expect(yield* Queue.size(reports)).toBe(0)
      // the next run starts afresh: its first frame goes straight out again
      expect(socket.send("d")).toBe("written")
      expect(stream.writableCorked).toBe(0)
    }))

  it.scoped("coalescing: frames past the high-water mark are pending, each reported once, all delivered in order", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { reports, socket } = yield* openSocket(server.url, true)
      const side = yield* Queue.take(server.connections)
      // Fewer frames than one coalesced write holds, so all of them wait corked in the stream's buffer.
      const frames = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(1500, "."))
      const starts = frames.map((frame) => socket.send(frame))
      const pending = starts.filter((start) => start === "pending").length
      // 45 KB in one run cannot all fit under a 16 KiB mark; the first frames do.
      expect(starts[0]).toBe("written")
      expect(pending).toBeGreaterThan(0)
      const reported = yield* Effect.forEach(Array.from({ length: pending }), () => Queue.take(reports))
      expect(reported.every((report) => report === "written")).toBe(true)
      const received = yield* Effect.forEach(frames, () => Queue.take(side.received))
      expect(received.map((r) => r.data.toString())).toStrictEqual(frames)
      expect(yield* Queue.size(reports)).toBe(0)
    }))

  it.scoped("coalescing: a long run is written 32 frames at a time, the rest stays corked until the run ends", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { socket } = yield* openSocket(server.url, true)
      const side = yield* Queue.take(server.connections)
      const stream = streamUnder(socket)
      const frames = Array.from({ length: 70 }, (_, i) => `${i}`.padEnd(50, "."))
      const lengths = frames.map((frame) => {
        socket.send(frame)
        return stream.writableLength
      })
      // frame 1 goes out alone; 2-33 accumulate; the 34th sends them; 34-65 accumulate; the 66th sends those
      expect(lengths[0]).toBe(0)
      expect(lengths[32]).toBeGreaterThan(lengths[1] as number)
      expect(lengths[33]).toBe(lengths[1])
      expect(lengths[64]).toBeGreaterThan(lengths[33] as number)
      expect(lengths[65]).toBe(lengths[1])
      expect(stream.writableCorked).toBe(1)
      yield* Effect.promise(() => Promise.resolve())
      expect(stream.writableCorked).toBe(0)
      const received = yield* Effect.forEach(frames, () => Queue.take(side.received))
      expect(received.map((r) => r.data.toString())).toStrictEqual(frames)
    }))

  it.scoped("without coalescing, a run of sends is not held back", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { socket } = yield* openSocket(server.url)
      yield* Queue.take(server.connections)
      socket.send("a")
      socket.send("b")
      expect(streamUnder(socket).writableCorked).toBe(0)
    }))

  it.scoped("a frame sent once the close handshake has begun is refused on the spot, not silently dropped", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { reports, socket } = yield* openSocket(server.url)
      const side = yield* Queue.take(server.connections)
      socket.close(1000, "")
      const start = socket.send("late")
      expect(start).toBeInstanceOf(Error)
      expect(yield* Deferred.await(side.closed)).toStrictEqual({ code: 1000, reason: "" })
      yield* afterIo
      expect(yield* Queue.size(side.received)).toBe(0)
      expect(yield* Queue.size(reports)).toBe(0)
    }))

  it.scoped("a frame sent after the socket ended is refused, not reported as written", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const { reports, socket } = yield* openSocket(server.url)
      socket.terminate()
      const start = socket.send("late")
      expect(start).not.toBe("written")
      if (start === "pending") expect(yield* Queue.take(reports)).toBe("failed")
      else expect(start).toBeInstanceOf(Error)
    }))
})

describe("Node transport events", () => {
  it.scoped("the transport takes ws's events without hiding them from listeners on the ws socket itself", () =>
    Effect.gen(function*() {
      const server = yield* wsServer()
      const delivered = yield* Queue.unbounded<string>()
      const socket = yield* Effect.acquireRelease(
        Effect.async<TransportSocket>((resume) => {
          const opened = openNodeSocket(WebSocket, {
            url: new URL(server.url),
            redactedUrl: server.url,
            headers: {},
            protocols: [],
            maxPayload: 1 << 20,
            tls: undefined,
            checkAddress: undefined
          }, {
            onOpen: () => resume(Effect.succeed(opened)),
            onMessage: (frame) => Queue.unsafeOffer(delivered, `transport:${String(frame)}`),
            onPong: noop,
            onFailure: noop,
            onClose: noop,
            onWritten: noop
          })
        }),
        (socket) => Effect.sync(() => socket.terminate())
      )
      const ws = (socket as unknown as { readonly socket: WebSocket }).socket
      ws.on("message", (data) => Queue.unsafeOffer(delivered, `listener:${String(data)}`))
      const side = yield* Queue.take(server.connections)
      side.socket.send("hi")
      expect([yield* Queue.take(delivered), yield* Queue.take(delivered)]).toStrictEqual(["transport:hi", "listener:hi"])
    }))
})
