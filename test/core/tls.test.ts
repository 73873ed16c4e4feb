import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { generate } from "selfsigned"
import { TlsError, WebSocketClient, WebSocketClientLive } from "../../src/index.js"
import { wssServer } from "./servers.js"

/** A self-signed certificate for 127.0.0.1, made for this test run. */
const selfSigned = Effect.promise(() =>
  generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    curve: "P-256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }]
  })
)

const scenario = <A, E>(body: (setup: { url: string; cert: string }) => Effect.Effect<A, E, WebSocketClient>) =>
  Effect.gen(function*() {
    const pem = yield* selfSigned
    const server = yield* wssServer({ key: pem.private, cert: pem.cert })
    return yield* body({ url: server.url, cert: pem.cert })
  }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive))

describe("TLS", () => {
  it.effect("a self-signed certificate is refused by default with TlsError", () =>
    scenario(({ url }) =>
      Effect.gen(function*() {
        const client = yield* WebSocketClient
        const error = yield* Effect.flip(Effect.scoped(client.connect({ url })))
        expect(error).toBeInstanceOf(TlsError)
        expect(error.message).toContain("self-signed")
      })
    ))

  it.effect("the same server is trusted when its certificate is passed as tls.ca", () =>
    scenario(({ cert, url }) =>
      Effect.gen(function*() {
        const client = yield* WebSocketClient
        const connection = yield* Effect.scoped(client.connect({ url, tls: { ca: cert } }))
        expect(connection.state).toBe("closed")
        expect(yield* client.getStats).toMatchObject({ connectionsOpened: 1, connectionsClosed: 1 })
      })
    ))

  it.effect("verification can be turned off only explicitly, with rejectUnauthorized: false", () =>
    scenario(({ url }) =>
      Effect.gen(function*() {
        const client = yield* WebSocketClient
        yield* Effect.scoped(client.connect({ url, tls: { rejectUnauthorized: false } }))
        expect(yield* client.getStats).toMatchObject({ connectionsOpened: 1, errors: 0 })
      })
    ))
})
