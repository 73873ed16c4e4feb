// The CLI end to end: spawned as a process against a ws echo server and the HA simulator on 127.0.0.1, stdin
// piped; stdout, stderr and exit codes asserted, bad input included.
import { once } from "node:events"
import { readFileSync } from "node:fs"
import { createServer } from "node:https"
import { join } from "node:path"
import type { AddressInfo } from "node:net"
import { Effect, Exit, Redacted, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WebSocketServer } from "ws"
import { clientOptions } from "../../src/cli/ha/connection.js"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { bundleCli, noStack, run, start } from "./run.js"

let server: WebSocketServer
let echo: string
let sim: HomeAssistantSimulator
const scope = Effect.runSync(Scope.make())
const TOKEN = "cli-token-5e1f-never-print"

let cleanup: () => void = () => undefined

beforeAll(async () => {
  cleanup = await bundleCli()
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(server, "listening")
  echo = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  server.on("connection", (socket, request) => {
    socket.on("message", (data, isBinary) => {
      const text = String(data)
      if (text === "close please") return socket.close(4000, "bye")
      if (text === "binary please") return socket.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true })
      if (text === "headers please") return socket.send(JSON.stringify({ token: request.headers["x-demo"] ?? null }))
      socket.send(data, { binary: isBinary })
    })
  })
  sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: TOKEN }), scope))
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  server.close()
  cleanup()
})

describe("effect-ws-gateway request", () => {
  it("prints the reply and exits 0", async () => {
    const result = await run(["request", echo, '{"hello":"world"}'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toStrictEqual({ hello: "world" })
  })

  it("a refused connection or a bad URL: one line on stderr, exit 1, no stack", async () => {
    for (const url of ["ws://127.0.0.1:1", "not a url"]) {
      const result = await run(["request", url, "x"])
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).toMatch(/^error: /)
      expect(noStack(result.stderr)).toBe(true)
    }
  })
})

describe("effect-ws-gateway connect (stdin piped)", () => {
  it("sends each line (JSON if it parses), prints replies, closes with 1000 once stdin ended and --wait passed", async () => {
    const result = await run(["connect", echo, "--wait", "200ms", "--raw", "-H", "X-Demo: yes"], 'plain text\n{"n":1}\nheaders please\nbinary please\n')
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split("\n")).toStrictEqual(["plain text", '{"n":1}', '{"token":"yes"}', "<binary 4 bytes: deadbeef>"])
    expect(result.stderr).toContain("connected to ")
    expect(result.stderr.trim().split("\n").at(-1)).toBe("closed 1000")
  })

  it("objects are pretty-printed without --raw", async () => {
    const result = await run(["connect", echo, "--wait", "200ms"], '{"a":[1]}\n')
    expect(result.stdout).toBe('{\n  "a": [\n    1\n  ]\n}\n')
  })

  it("a server's close code and reason are printed and set the exit code", async () => {
    const result = await run(["connect", echo, "--wait", "5s"], "close please\n")
    expect(result.stderr.trim().split("\n").at(-1)).toBe("closed 4000 bye")
    expect(result.code).toBe(1)
  })

  it("a refused connection, a bad header, a bad --timeout: one line, non-zero, no stack", async () => {
    const refused = await run(["connect", "ws://127.0.0.1:1"])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error: .*refused/)
    const header = await run(["connect", echo, "-H", "no-colon"])
    expect(header.code).toBe(2)
    expect(header.stderr + header.stdout).toContain("a header is 'Name: value'")
    const timeout = await run(["connect", echo, "--timeout", "soon"])
    expect(timeout.code).toBe(2)
    expect(timeout.stderr + timeout.stdout).toContain('"soon" is not a duration')
    for (const r of [refused, header, timeout]) expect(noStack(r.stderr + r.stdout)).toBe(true)
  })
})

describe("effect-ws-gateway connect over TLS", () => {
  it("a certificate no CA vouches for is refused; --insecure accepts it", async () => {
    const fixtures = join(import.meta.dirname, "fixtures")
    const https = createServer({ cert: readFileSync(join(fixtures, "localhost-cert.pem")), key: readFileSync(join(fixtures, "localhost-key.pem")) })
    const tls = new WebSocketServer({ server: https })
    tls.on("connection", (socket) => socket.on("message", (data) => socket.send(String(data))))
    https.listen(0, "127.0.0.1")
    await once(https, "listening")
    try {
      const url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}`
      const refused = await run(["connect", url, "--wait", "200ms"], "hi\n")
      expect(refused.code).toBe(1)
      expect(refused.stderr.trim().split("\n")).toHaveLength(1)
      expect(noStack(refused.stderr)).toBe(true)
      const accepted = await run(["connect", url, "--insecure", "--wait", "200ms"], "hi\n")
      expect(accepted.code).toBe(0)
      expect(accepted.stdout.trim()).toBe("hi")
    } finally {
      tls.close()
      https.closeAllConnections()
      https.close()
    }
  })
})

describe("effect-ws-gateway ha", () => {
  const at = () => ["--server", sim.httpUrl, "--token", TOKEN]

  it("states --simulator: a table of every entity; a pattern filters; --json is the states", async () => {
    const all = await run(["ha", "states", "--simulator"])
    expect(all.code).toBe(0)
    const lines = all.stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^entity\s+state\s+last changed$/)
    expect(lines).toHaveLength(7)
    const lights = await run(["ha", "states", "light.*", "--json", "--simulator"])
    expect((JSON.parse(lights.stdout) as Array<{ entity_id: string }>).map((s) => s.entity_id))
      .toStrictEqual(["light.bedroom", "light.kitchen", "light.living_room"])
  })

  it("server and token from HASS_SERVER (or HASS_URL) and HASS_TOKEN, as home-assistant-cli reads them", async () => {
    const server = await run(["ha", "states", "coffee"], "", { HASS_SERVER: sim.httpUrl, HASS_TOKEN: TOKEN })
    expect(server.stdout).toContain("switch.coffee_maker")
    const url = await run(["ha", "ping"], "", { HASS_URL: sim.httpUrl, HASS_TOKEN: TOKEN })
    expect(url.stdout).toMatch(/^pong in \d+ ms$/m)
    const none = await run(["ha", "ping"])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("pass --server or set HASS_SERVER")
  })

  it("plain http:// to another machine is refused before anything connects, naming --allow-insecure", async () => {
    const refused = await run(["ha", "states", "--server", "http://192.0.2.10:8123", "--token", "secret-7c1d"])
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim()).toBe(
      "error: refusing to send the token unencrypted to 192.0.2.10: use https://, or pass --allow-insecure"
    )
    expect(refused.stderr + refused.stdout).not.toContain("secret-7c1d")
    const allowed = await run(["ha", "ping", "--allow-insecure", ...at()])
    expect(allowed.stdout).toMatch(/^pong in \d+ ms$/m)
    const token = Redacted.make("t")
    expect(clientOptions("http://ha.lan:8123", token, true)).toStrictEqual({
      url: "http://ha.lan:8123",
      accessToken: token,
      reconnect: false,
      allowInsecure: true
    })
    expect(clientOptions("http://ha.lan:8123", token, false)).not.toHaveProperty("allowInsecure")
  })

  it("call: prints the result; --watch also the changes it caused; key=value values are JSON", async () => {
    const result = await run(["ha", "call", "light.turn_on", "--entity", "light.bedroom", "brightness=99", "--watch", ...at()])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('"context"')
    expect(result.stdout).toContain("light.bedroom  off → on")
    expect(sim.states.find((s) => s.entity_id === "light.bedroom")?.attributes.brightness).toBe(99)
  })

  it("an unknown service, invalid --data, a wrong token: one line, non-zero, no stack, no token", async () => {
    const unknown = await run(["ha", "call", "light.fly", ...at()])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr.trim()).toBe("error: Action light.fly not found.")
    const data = await run(["ha", "call", "light.turn_on", "--data", "{nope", ...at()])
    expect(data.code).toBe(2)
    expect(data.stderr + data.stdout).toContain("--data is not a JSON object")
    const wrong = await run(["ha", "states", "--server", sim.httpUrl, "--token", "wrong-5e1f-secret"])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1)
    expect(wrong.stderr).toContain("rejected")
    for (const r of [unknown, data, wrong]) {
      expect(noStack(r.stderr + r.stdout)).toBe(true)
      expect(r.stderr + r.stdout).not.toContain("wrong-5e1f-secret")
      expect(r.stderr + r.stdout).not.toContain(TOKEN)
    }
  })

  it("watch tails events until Ctrl-C, which closes with 1000 and exits 130", async () => {
    const closes = sim.closes.length
    const watching = start(["ha", "watch", "state_changed", ...at()])
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await Effect.runPromise(sim.setState("switch.coffee_maker", "on"))
    await watching.waitFor("switch.coffee_maker")
    expect(watching.output().stdout).toMatch(/state_changed\s+switch\.coffee_maker {2}off → on$/m)
    watching.child.kill("SIGINT")
    const ended = await watching.done
    expect(ended.code).toBe(130)
    expect(sim.closes.slice(closes).map((c) => c.code)).toContain(1000)
  })

  it("watch --entities: the table, then one line per change when stdout is not a terminal", async () => {
    const watching = start(["ha", "watch", "--entities", "light.*", ...at()])
    await watching.waitFor("light.living_room")
    await Effect.runPromise(sim.setState("light.kitchen", "off"))
    await watching.waitFor("light.kitchen  on → off")
    expect(watching.output().stdout).not.toContain("switch.")
    watching.child.kill("SIGINT")
    expect((await watching.done).code).toBe(130)
    await Effect.runPromise(sim.setState("light.kitchen", "on"))
  })

  it("info: version, location, components, entities", async () => {
    const result = await run(["ha", "info", "--simulator"])
    expect(result.stdout).toMatch(/^version\s+2026\.1\.2$/m)
    expect(result.stdout).toMatch(/^location\s+Simulated Home$/m)
    expect(result.stdout).toMatch(/^entities\s+6$/m)
  })
})

describe("effect-ws-gateway help and version", () => {
  it("--help for every command, without colours off a terminal, and never the token", async () => {
    for (const command of [[], ["connect"], ["request"], ["ha"], ["ha", "states"], ["ha", "call"], ["ha", "watch"], ["ha", "ping"], ["ha", "info"]]) {
      const result = await run([...command, "--help"], "", { HASS_TOKEN: TOKEN })
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("USAGE")
      expect(result.stdout).not.toContain("\x1b[")
      expect(result.stdout + result.stderr).not.toContain(TOKEN)
    }
    expect((await run(["--version"])).stdout.trim()).toBe("0.1.0")
  })
})
