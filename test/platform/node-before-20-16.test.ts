// The Node transport on a runtime without `process.getBuiltinModule` (Node 20 before 20.16): `ws` still loads, and
// `node:dns` is imported while the layer is built, so a host name still resolves. In a file of its own: the
// transport keeps the `node:dns` it loaded for the module's lifetime, and vitest gives each file fresh modules.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadWs } from "../../src/platform/node/loadWs.js"
import { connectByName, loopbackDenied } from "../reliability/byName.js"

const getBuiltinModule = process.getBuiltinModule

describe("the Node transport without process.getBuiltinModule", () => {
  beforeAll(() => {
    delete (process as { getBuiltinModule?: unknown }).getBuiltinModule
  })
  afterAll(() => {
    process.getBuiltinModule = getBuiltinModule
  })

  it.effect("loads ws", () =>
    Effect.gen(function*() {
      expect(typeof process.getBuiltinModule).toBe("undefined")
      const WebSocket = yield* Effect.promise(loadWs)
      expect(WebSocket.OPEN).toBe(1)
      expect((globalThis as { require?: unknown }).require).toBeUndefined()
    }))

  it.effect("resolves a host name through node:dns, checked by the host policy before connecting", () =>
    Effect.gen(function*() {
      const { connections, exit } = yield* connectByName
      // Refused after resolution: the lookup ran (it is what applies the address rules to a name).
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "HostDenied", host: "localhost" } } })
      expect(connections()).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(loopbackDenied)))
})
