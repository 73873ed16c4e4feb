import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, TestClock } from "effect"
import { generate } from "selfsigned"
import { ConnectionRefused, HandshakeRejected, Timeout, TlsError, WebSocketClient } from "../../src/index.js"
import { httpServer, tcpServer, wssServer } from "../core/servers.js"
import { faultCase, recorded, SECRETS, secretHeaders, secretUrl } from "./harness.js"
import { rawServer } from "./rawServer.js"

const connectWithSecrets = (url: string, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(WebSocketClient, (client) => client.connect({ url, headers: secretHeaders, ...extra }))

const certificate = (options: { readonly expired?: boolean; readonly altName?: string } = {}) =>
  Effect.promise(() =>
    generate([{ name: "commonName", value: options.altName ?? "127.0.0.1" }], {
      keyType: "ec",
      curve: "P-256",
      ...(options.expired === true
        ? { notBeforeDate: new Date(Date.now() - 3 * 86_400_000), notAfterDate: new Date(Date.now() - 86_400_000) }
        : {}),
      extensions: [{
        name: "subjectAltName",
        altNames: options.altName === undefined ? [{ type: 7, ip: "127.0.0.1" }] : [{ type: 2, value: options.altName }]
      }]
    })
  )

describe("fault matrix: connecting", () => {
  it.effect("nothing listening → ConnectionRefused", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(Effect.map(tcpServer(() => undefined), (s) => s.port))
      const { exit, leftOpen, stats } = yield* faultCase(connectWithSecrets(secretUrl(port)))
      expect(exit).toMatchObject({ _tag: "Failure" })
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toBeInstanceOf(ConnectionRefused)
      expect(stats.activeConnections).toBe(0)
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("an unresolvable host name (*.invalid) → ConnectionRefused, without any DNS query", () =>
    Effect.gen(function*() {
      const { exit, leftOpen, stats } = yield* faultCase(connectWithSecrets("ws://no-such-host.invalid/"))
      expect(exit).toStrictEqual(Exit.fail(new ConnectionRefused({
        url: "ws://no-such-host.invalid/",
        detail: "getaddrinfo ENOTFOUND no-such-host.invalid"
      })))
      expect(stats.activeConnections).toBe(0)
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("TCP accepted, handshake never answered → Timeout (connect) on the Effect clock", () =>
    Effect.gen(function*() {
      const { exit, leftOpen, stats } = yield* faultCase(Effect.gen(function*() {
        const server = yield* tcpServer(() => undefined)
        const fiber = yield* Effect.fork(connectWithSecrets(secretUrl(server.port), { timeout: "3 seconds" }))
        yield* TestClock.adjust("3 seconds")
        return yield* Fiber.join(fiber)
      }))
      expect(exit).toStrictEqual(Exit.fail(new Timeout({ operation: "connect", after: Duration.seconds(3) })))
      expect(stats).toMatchObject({ activeConnections: 0, errors: 1 })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect.each([401, 404, 500])("HTTP %d on the upgrade → HandshakeRejected with that status", (status) =>
    Effect.gen(function*() {
      const { exit, leftOpen } = yield* faultCase(Effect.gen(function*() {
        const server = yield* httpServer(status)
        return yield* connectWithSecrets(secretUrl(server.port, "/api/websocket"))
      }))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined).toBeInstanceOf(HandshakeRejected)
      expect(exit).toMatchObject({ cause: { error: { status, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/api\/websocket$/) } } })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("a 101 without a valid Sec-WebSocket-Accept → HandshakeRejected 101", () =>
    Effect.gen(function*() {
      const { exit, leftOpen } = yield* faultCase(Effect.gen(function*() {
        const server = yield* rawServer(() => undefined, () =>
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bogus=\r\n\r\n")
        return yield* connectWithSecrets(secretUrl(server.port))
      }))
      expect(exit).toMatchObject({
        _tag: "Failure",
        cause: { error: { _tag: "HandshakeRejected", status: 101, reason: "Invalid Sec-WebSocket-Accept header" } }
      })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("response headers over Node's 16 KiB limit → HandshakeRejected 0 (unparsable), nothing left open", () =>
    Effect.gen(function*() {
      const { exit, leftOpen } = yield* faultCase(Effect.gen(function*() {
        const server = yield* rawServer(() => undefined, () => `HTTP/1.1 101 Switching Protocols\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`)
        return yield* connectWithSecrets(secretUrl(server.port))
      }))
      expect(exit).toMatchObject({
        _tag: "Failure",
        cause: { error: { _tag: "HandshakeRejected", status: 0, reason: "unparsable HTTP response (Parse Error: Header overflow)" } }
      })
      expect(leftOpen).toStrictEqual([])
    }))
})

describe("fault matrix: TLS", () => {
  const tlsCase = (pem: { private: string; cert: string }, extra: Record<string, unknown> = {}) =>
    faultCase(Effect.gen(function*() {
      const server = yield* wssServer({ key: pem.private, cert: pem.cert })
      return yield* connectWithSecrets(secretUrl(server.port, "/", "wss"), extra)
    }))

  it.effect("a self-signed certificate → TlsError by default", () =>
    Effect.gen(function*() {
      const { exit, leftOpen } = yield* tlsCase(yield* certificate())
      expect(exit).toMatchObject({ cause: { error: { _tag: "TlsError", detail: "self-signed certificate" } } })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("the same server succeeds when its CA is passed in tls.ca", () =>
    Effect.gen(function*() {
      const pem = yield* certificate()
      const { exit, leftOpen, stats } = yield* tlsCase(pem, { tls: { ca: pem.cert } })
      expect(exit._tag).toBe("Success")
      expect(stats).toMatchObject({ connectionsOpened: 1, connectionsClosed: 1, activeConnections: 0 })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("an expired certificate → TlsError even with its CA trusted", () =>
    Effect.gen(function*() {
      const pem = yield* certificate({ expired: true })
      const { exit, leftOpen } = yield* tlsCase(pem, { tls: { ca: pem.cert } })
      expect(exit).toMatchObject({ cause: { error: { _tag: "TlsError", detail: "certificate has expired" } } })
      expect(leftOpen).toStrictEqual([])
    }))

  it.effect("a certificate for another host name → TlsError even with its CA trusted", () =>
    Effect.gen(function*() {
      const pem = yield* certificate({ altName: "other.example" })
      const { exit, leftOpen } = yield* tlsCase(pem, { tls: { ca: pem.cert } })
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toBeInstanceOf(TlsError)
      expect((error as TlsError).detail).toMatch(/^Hostname\/IP does not match certificate's altnames/)
      expect(leftOpen).toStrictEqual([])
    }))
})

describe("fault matrix: secrets", () => {
  it("no log line, span, stats object or printed error of the cases above holds a secret", () => {
    expect(recorded.length).toBeGreaterThan(20)
    const everything = recorded.join("\n")
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret)
    expect(everything).toContain("WebSocketClient.connect")
  })
})
