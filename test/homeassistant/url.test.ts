import { describe, expect, it } from "vitest"
import { Either } from "effect"
import { isLoopbackHost, websocketApiUrl } from "../../src/index.js"

describe("Home Assistant URL", () => {
  it.each([
    ["http://homeassistant.local:8123", "ws://homeassistant.local:8123/api/websocket"],
    ["https://ha.example.org", "wss://ha.example.org/api/websocket"],
    ["https://example.org/ha/", "wss://example.org/ha/api/websocket"],
    ["ws://127.0.0.1:8123", "ws://127.0.0.1:8123/api/websocket"],
    ["wss://ha.example.org/api/websocket", "wss://ha.example.org/api/websocket"]
  ])("%s → %s", (input, expected) => {
    expect(Either.map(websocketApiUrl(input), (url) => url.href)).toStrictEqual(Either.right(expected))
  })

  it.each(["ftp://x", "not a url", ""])("%j is InvalidUrl", (input) => {
    expect(Either.isLeft(websocketApiUrl(input))).toBe(true)
  })

  it.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["[::1]", true],
    ["192.168.1.10", false],
    ["10.0.0.1", false],
    ["127.0.0.1.example.org", false],
    ["homeassistant.local", false]
  ])("loopback(%s) is %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})
