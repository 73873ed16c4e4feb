import { describe, expect, it } from "@effect/vitest"
import { createPrivateKey } from "node:crypto"
import { Effect } from "effect"
import { generate } from "selfsigned"
import { TlsError, WebSocketClient, WebSocketClientLive } from "../../src/index.js"
import type { TlsOptions } from "../../src/index.js"
import { wssServer } from "./servers.js"

/** A self-signed certificate named `commonName`, valid for 127.0.0.1, made for this test run. */
const certificate = (commonName: string) =>
  Effect.promise(() =>
    generate([{ name: "commonName", value: commonName }], {
      keyType: "ec",
      curve: "P-256",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }]
    })
  )

const selfSigned = certificate("127.0.0.1")

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

describe("TLS client certificates", () => {
  const PASSPHRASE = "correct horse battery staple"

  /** A server that requires a client certificate, trusting only the one made here for "gateway-client". */
  const mutual = <A, E>(
    body: (setup: {
      readonly url: string
      readonly trust: TlsOptions
      readonly client: { readonly cert: string; readonly key: string }
      readonly otherKey: string
      readonly clientNames: ReadonlyArray<string>
    }) => Effect.Effect<A, E, WebSocketClient>
  ) =>
    Effect.gen(function*() {
      const serverPem = yield* selfSigned
      const clientPem = yield* certificate("gateway-client")
      const server = yield* wssServer({ key: serverPem.private, cert: serverPem.cert, clientCa: clientPem.cert })
      return yield* body({
        url: server.url,
        trust: { ca: serverPem.cert },
        client: { cert: clientPem.cert, key: clientPem.private },
        otherKey: serverPem.private,
        clientNames: server.clientNames
      })
    }).pipe(Effect.scoped, Effect.provide(WebSocketClientLive))

  /** Connects with `tls` and closes again; the typed error if it failed. */
  const attempt = (url: string, tls: TlsOptions) =>
    Effect.flatMap(WebSocketClient, (client) => Effect.either(Effect.scoped(client.connect({ url, tls }))))

  it.effect("a server that requires one accepts the certificate and key passed as tls.cert and tls.key", () =>
    mutual(({ client, clientNames, trust, url }) =>
      Effect.gen(function*() {
        const result = yield* attempt(url, { ...trust, ...client })
        expect(result._tag).toBe("Right")
        expect(clientNames).toStrictEqual(["gateway-client"])
      })
    ))

  it.effect("without a client certificate, that server's refusal is a TlsError", () =>
    mutual(({ clientNames, trust, url }) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(attempt(url, trust).pipe(Effect.flatten))
        expect(error).toBeInstanceOf(TlsError)
        expect(error.message).toContain("certificate required")
        expect(clientNames).toStrictEqual([])
      })
    ))

  it.effect("an encrypted key opens with tls.passphrase; a wrong or missing one is a TlsError that quotes neither", () =>
    mutual(({ client, clientNames, trust, url }) =>
      Effect.gen(function*() {
        const key = createPrivateKey(client.key).export({
          type: "pkcs8",
          format: "pem",
          cipher: "aes-256-cbc",
          passphrase: PASSPHRASE
        }) as string
        expect((yield* attempt(url, { ...trust, cert: client.cert, key, passphrase: PASSPHRASE }))._tag).toBe("Right")
        for (const passphrase of ["not the passphrase", undefined]) {
          const tls = { ...trust, cert: client.cert, key, ...(passphrase === undefined ? {} : { passphrase }) }
          const error = yield* Effect.flip(attempt(url, tls).pipe(Effect.flatten))
          expect(error).toBeInstanceOf(TlsError)
          expect(error.message).not.toContain(PASSPHRASE)
          expect(error.message).not.toContain("not the passphrase")
          expect(error.message).not.toContain("PRIVATE KEY")
        }
        expect(clientNames).toStrictEqual(["gateway-client"])
      })
    ))

  it.effect("a key that does not match the certificate, or a certificate that is not PEM, is a TlsError", () =>
    mutual(({ client, clientNames, otherKey, trust, url }) =>
      Effect.gen(function*() {
        for (const tls of [{ ...trust, cert: client.cert, key: otherKey }, { ...trust, cert: "not a PEM", key: client.key }]) {
          const error = yield* Effect.flip(attempt(url, tls).pipe(Effect.flatten))
          expect(error).toBeInstanceOf(TlsError)
          expect(error.message).not.toContain("PRIVATE KEY")
        }
        expect(clientNames).toStrictEqual([])
        expect(yield* Effect.flatMap(WebSocketClient, (client) => client.getStats)).toMatchObject({
          connectionsOpened: 0,
          errors: 2
        })
      })
    ))
})
