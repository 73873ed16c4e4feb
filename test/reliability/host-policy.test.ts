import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import {
  HostDenied,
  InvalidOption,
  WebSocketClient,
  WebSocketClientLayerWith,
  type HostPolicy
} from "../../src/index.js"
import { WebSocketTest, WebSocketTestServer } from "../../src/testing/index.js"
import { connectByName, loopbackDenied } from "./byName.js"

const withPolicy = (hostPolicy: HostPolicy) =>
  WebSocketClientLayerWith({ hostPolicy }).pipe(Layer.provideMerge(WebSocketTest.transportLayer))

const metadataAndPrivate: HostPolicy = {
  denyAddresses: ["169.254.0.0/16", "10.0.0.0/8"],
  denyHosts: ["metadata.google.internal", "*.evil.test"]
}

/** Tries `url` on the in-memory transport under `policy`: the typed error, or "attempted" if it was let through. */
const attempt = (policy: HostPolicy, url: string) =>
  Effect.gen(function*() {
    const client = yield* WebSocketClient
    const server = yield* WebSocketTestServer
    const exit = yield* Effect.exit(Effect.scoped(client.connect({ url })))
    return Exit.isSuccess(exit) ? ((yield* server.attempts).length === 1 ? "attempted" : "?") : exit
  }).pipe(Effect.provide(withPolicy(policy)))

describe("host policy", () => {
  it.effect.each<[string, string, string]>([
    ["ws://169.254.169.254/latest/meta-data", "169.254.169.254", "address 169.254.169.254 is denied"],
    ["ws://0xA9FEA9FE/", "169.254.169.254", "address 169.254.169.254 is denied"],
    ["ws://10.1.2.3:8123/", "10.1.2.3", "address 10.1.2.3 is denied"],
    ["ws://[::ffff:10.0.0.1]/", "::ffff:a00:1", "address ::ffff:a00:1 is denied"],
    ["ws://metadata.google.internal/", "metadata.google.internal", "the host name is denied"],
    ["ws://api.evil.test/", "api.evil.test", "the host name is denied"]
  ])("%s is denied by parsing, before any connection", ([url, host, reason]) =>
    Effect.gen(function*() {
      expect(yield* attempt(metadataAndPrivate, url)).toStrictEqual(Exit.fail(new HostDenied({ host, reason })))
    }))

  it.effect.each([
    "ws://10.0.0.1.example.test/", // a name that merely starts like a denied range
    "ws://notevil.test/", // a name that merely ends like a denied one
    "ws://evil.test/", // the pattern *.evil.test covers subdomains only
    "ws://192.168.1.20:8123/"
  ])("%s is not denied: rules match parsed hosts, never substrings", (url) =>
    Effect.gen(function*() {
      expect(yield* attempt(metadataAndPrivate, url)).toBe("attempted")
    }))

  it.effect("an allow list admits only its hosts and ranges", () =>
    Effect.gen(function*() {
      const policy: HostPolicy = { allowHosts: ["ha.example.test"], allowAddresses: ["192.168.1.0/24"] }
      expect(yield* attempt(policy, "ws://ha.example.test/")).toBe("attempted")
      expect(yield* attempt(policy, "ws://192.168.1.7/")).toBe("attempted")
      expect(yield* attempt(policy, "ws://other.example.test/")).toStrictEqual(
        Exit.fail(new HostDenied({ host: "other.example.test", reason: "the host name is not in the allowed list" }))
      )
      expect(yield* attempt(policy, "ws://192.168.2.7/")).toStrictEqual(
        Exit.fail(new HostDenied({ host: "192.168.2.7", reason: "address 192.168.2.7 is not in the allowed ranges" }))
      )
    }))

  it.effect("a name that resolves into a denied range is refused after resolution, before connecting", () =>
    Effect.gen(function*() {
      const { connections, exit, server } = yield* connectByName
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "HostDenied", host: "localhost" } } })
      expect(connections()).toBe(0)
      // and the literal address is refused by parsing
      const client = yield* WebSocketClient
      const literal = yield* Effect.exit(Effect.scoped(client.connect({ url: `ws://127.0.0.1:${server.port}/` })))
      expect(literal).toStrictEqual(Exit.fail(new HostDenied({ host: "127.0.0.1", reason: "address 127.0.0.1 is denied" })))
      expect(connections()).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(loopbackDenied)))

  it.effect("a malformed rule fails building the client with InvalidOption", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(withPolicy({ denyAddresses: ["10.0.0.0/33"] })).pipe(Effect.scoped))
      expect(exit).toStrictEqual(Exit.fail(new InvalidOption({
        option: "hostPolicy.denyAddresses",
        reason: "'10.0.0.0/33' is not an IP address or CIDR range"
      })))
    }))
})
