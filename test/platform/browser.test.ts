// The package in real browsers: headless Chromium (driven by playwright-core), Firefox ESR (by puppeteer-core, over
// WebDriver BiDi) and WebKit (WebKitGTK's MiniBrowser under Xvfb, by WebKitWebDriver over W3C WebDriver, see
// ./webkit.ts), Debian's packages that .ci/run installs, run a page bundled by esbuild from the installed tarball's
// browser entry, against servers on 127.0.0.1 that this test starts and closes. Nothing downloads a browser.
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { build, type Metafile } from "esbuild"
import { chromium } from "playwright-core"
import puppeteer from "puppeteer-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { type WebSocket, WebSocketServer } from "ws"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { tcpServer } from "../core/servers.js"
import * as WebKit from "./webkit.js"

const { project } = inject("consumer")
const found = (variable: string, commands: string) => {
  try {
    return process.env[variable] ?? execFileSync("sh", ["-c", commands]).toString().trim()
  } catch {
    throw new Error(`browser not found: ${variable} is unset and \`${commands}\` finds nothing`)
  }
}

/** A page in a running browser: the bundle loaded, its test functions callable. */
interface OpenPage {
  readonly call: (name: string, args: ReadonlyArray<string>) => Promise<unknown>
  readonly close: () => Promise<void>
}

// Calls one of the page's test functions (see test/package/consumer/browser-page.ts) with `args`.
const callTest = ([name, args]: readonly [string, ReadonlyArray<string>]) =>
  (globalThis as unknown as Record<string, Record<string, (...a: ReadonlyArray<string>) => unknown>>).tests![name]!(...args)

const PAGE = "<!doctype html><title>effect-ws-gateway</title>"
// For WebDriver's execute/async: calls callTest with arguments[0] and hands back its result as JSON (as the other
// drivers' evaluate does: no undefined, no class) or the page's error.
const CALL_TEST = `const done = arguments[arguments.length - 1]
Promise.resolve(arguments[0]).then(${callTest.toString()}).then(
  (value) => done({ json: JSON.stringify(value) }),
  (error) => done({ error: String(error && error.stack || error) }))`

const browsers: ReadonlyArray<{ readonly name: string; readonly open: (bundle: string) => Promise<OpenPage> }> = [
  {
    name: "Chromium",
    open: async (bundle) => {
      const executablePath = found("CHROMIUM_PATH", "command -v chromium")
      const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--headless=new"] })
      const page = await browser.newPage()
      await page.setContent(PAGE)
      await page.addScriptTag({ content: bundle })
      return { call: (name, args) => page.evaluate(callTest, [name, args] as const), close: () => browser.close() }
    }
  },
  {
    name: "Firefox",
    open: async (bundle) => {
      const executablePath = found("FIREFOX_PATH", "command -v firefox-esr || command -v firefox")
      const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true })
      const page = await browser.newPage()
      await page.setContent(PAGE)
      await page.addScriptTag({ content: bundle })
      return { call: (name, args) => page.evaluate(callTest, [name, args] as const), close: () => browser.close() }
    }
  },
  {
    name: "WebKit",
    open: async (bundle) => {
      const { session, close } = await WebKit.launch()
      try {
        await session.navigate(`data:text/html,${encodeURIComponent(PAGE)}`)
        await session.executeSync(
          "const script = document.createElement('script'); script.textContent = arguments[0]; document.head.append(script)",
          [bundle]
        )
      } catch (error) {
        await close()
        throw error
      }
      const call = async (name: string, args: ReadonlyArray<string>) => {
        const result = await session.executeAsync(CALL_TEST, [[name, [...args]]]) as { json?: string; error?: string }
        if (result.error !== undefined) throw new Error(`${name} failed in WebKit: ${result.error}`)
        return result.json === undefined ? undefined : JSON.parse(result.json) as unknown
      }
      return { call, close }
    }
  }
]

let bundle = ""
let metafile: Metafile
let scope: Scope.CloseableScope
const urls = { echo: "", closer: "", refused: "", ha: "" }

const listen = (onConnection: (socket: WebSocket) => void) =>
  Effect.acquireRelease(
    Effect.async<WebSocketServer>((resume) => {
      const server: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resume(Effect.succeed(server)))
      server.on("connection", onConnection)
    }),
    (server) => Effect.async<void>((resume) => {
      for (const client of server.clients) client.terminate()
      server.close(() => resume(Effect.void))
    })
  ).pipe(Effect.map((server) => `ws://127.0.0.1:${(server.address() as { port: number }).port}`))

beforeAll(async () => {
  const result = await build({
    absWorkingDir: project,
    entryPoints: [join(project, "browser-page.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  bundle = result.outputFiles[0]!.text
  metafile = result.metafile

  scope = Effect.runSync(Scope.make())
  const servers = await Effect.runPromise(Effect.gen(function*() {
    const echo = yield* listen((socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
    const closer = yield* listen((socket) => socket.close(4000, "bye"))
    const refused = yield* Effect.scoped(Effect.map(tcpServer(() => undefined), (s) => `ws://127.0.0.1:${s.port}/`))
    const sim = yield* HomeAssistantSimulator.make({ accessToken: "browser-token" })
    return { echo, closer, refused, ha: sim.httpUrl }
  }).pipe(Scope.extend(scope)))
  Object.assign(urls, servers)
}, 60_000)

afterAll(async () => {
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
})

describe("the browser bundle", () => {
  it("holds no ws and no node: import", () => {
    const inputs = Object.keys(metafile.inputs)
    expect(inputs.some((input) => input.includes("node_modules/effect-ws-gateway/dist/web.js"))).toBe(true)
    expect(inputs.filter((input) => /node_modules\/ws\/|^node:/.test(input))).toStrictEqual([])
    const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.map((i) => i.path))
    expect(imports.filter((path) => path === "ws" || path.startsWith("node:"))).toStrictEqual([])
    expect(bundle).not.toMatch(/require\(["']ws["']\)|from ?["']ws["']|["']node:[a-z]/)
  })
})

describe.each(browsers)("in headless $name, from the browser entry", ({ open }) => {
  let page: OpenPage | undefined
  let failure: unknown
  beforeAll(async () => {
    // A browser that is missing or does not start fails each test with the reason, rather than leaving them skipped.
    page = await open(bundle).catch((error: unknown) => {
      failure = error
      return undefined
    })
  }, 60_000)
  afterAll(() => page?.close())
  const inPage = (name: string, ...args: ReadonlyArray<string>) =>
    page === undefined ? Promise.reject(failure) : page.call(name, args)

  it("request to an echo server returns the reply", async () => {
    expect(await inPage("request", urls.echo)).toStrictEqual({ hello: "browser" })
  })

  it("binary arrives as a Uint8Array, and the connection says it has no backpressure", async () => {
    expect(await inPage("binary", urls.echo)).toStrictEqual({ isBytes: true, bytes: [0, 255, 7], backpressure: "none" })
  })

  it("the seven operations run through the Promise adapter, and bad input rejects with a typed error", async () => {
    expect(await inPage("adapter", urls.echo)).toStrictEqual({
      sent: true,
      received: { n: 1 },
      closed: true,
      request: "r",
      stats: { connections_opened: 2, connections_closed: 2, messages_sent: 2, messages_received: 2, errors: 0, active_connections: 0 },
      reset: true,
      badParam: { tag: "InvalidParameter", message: "websocket.send requires 'message'" }
    })
  })

  it("the Home Assistant client authenticates, lists states, and sees the state_changed its call_service caused", async () => {
    const result = await inPage("homeAssistant", urls.ha, "browser-token") as {
      version: string
      lights: Array<string>
      event: { type: string; data: { entity_id: string; new_state: { state: string } } }
    }
    expect(result.version).toBe("2026.1.2")
    expect(result.lights).toStrictEqual(["light.living_room", "light.kitchen", "light.bedroom"])
    expect(result.event.type).toBe("state_changed")
    expect(result.event.data.entity_id).toBe("light.living_room")
    expect(result.event.data.new_state.state).toBe("on")
  })

  it("a refused connection is a ConnectionRefused that says the browser gives no reason", async () => {
    const error = await inPage("refused", urls.refused) as { tag: string; message: string }
    expect(error.tag).toBe("ConnectionRefused")
    expect(error.message).toContain("the WHATWG API gives no reason")
  })

  it("a server close is a ConnectionClosed with the server's code and reason", async () => {
    expect(await inPage("serverClose", urls.closer)).toMatchObject({ tag: "ConnectionClosed", fields: { code: 4000, reason: "bye" } })
  })

  it("handshake headers are refused by name, not dropped", async () => {
    expect(await inPage("refusedHeaders", urls.echo)).toStrictEqual({
      tag: "InvalidOption",
      message: "Invalid WebSocket option 'headers': the websocket-constructor transport cannot send handshake headers"
    })
  })
})
