// The package as a serverless platform runs it: the handlers of test/package/consumer/serverless/ imported once into a
// long-lived process (the installed tarball), invoked many times; between invocations the process is frozen
// (SIGSTOP) while the server drops the connection or restarts, then thawed (SIGCONT) and invoked again.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { once } from "node:events"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { WebSocketServer } from "ws"
import { HomeAssistantSimulator } from "../../src/testing/index.js"

const { project } = inject("consumer")
const TOKEN = "serverless-token"
/** The stated bound: an invocation right after a thaw, reconnect included, answers within this. */
const AFTER_THAW_MS = 2_000
/** How long a process whose handlers keep nothing may take to exit once its input ends. */
const EXIT_MS = 3_000

let echo: WebSocketServer
let echoUrl: string
let scope: Scope.CloseableScope
let sim: HomeAssistantSimulator

beforeAll(async () => {
  echo = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(echo, "listening")
  echo.on("connection", (socket) => socket.on("message", (data) => socket.send(String(data))))
  echoUrl = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}`
  scope = Effect.runSync(Scope.make())
  sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: TOKEN }), scope))
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  for (const client of echo.clients) client.terminate()
  await new Promise((resolve) => echo.close(resolve))
})

interface Invocation {
  readonly ok: boolean
  readonly result?: unknown
  readonly error?: string
  readonly ms: number
  readonly unhandled: ReadonlyArray<string>
}

/** The runtime stand-in as a child process: `invoke` writes one event and reads its one answer. */
const startRuntime = () => {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["runtime.mjs"], {
    cwd: join(project, "serverless"),
    env: { PATH: process.env.PATH }
  })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += String(chunk)))
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>
  return {
    child,
    invoke: async (handler: string, event: unknown): Promise<Invocation> => {
      child.stdin.write(`${JSON.stringify({ handler, event })}\n`)
      const next = await answers.next()
      if (next.done === true) throw new Error(`the runtime ended: ${stderr}`)
      return JSON.parse(next.value) as Invocation
    },
    /** Ends the input; resolves with the exit code, or `"still running"` if the event loop is still held. */
    end: async () => {
      child.stdin.end()
      const timeout = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), EXIT_MS))
      const outcome = await Promise.race([exited.then(([code]) => code), timeout])
      if (outcome === "still running") child.kill("SIGKILL")
      return outcome
    },
    get stderr() {
      return stderr
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("in a serverless function", () => {
  it("a handler that keeps no client: 20 invocations answered, then nothing holds the event loop open", async () => {
    const runtime = startRuntime()
    for (let i = 0; i < 20; i++) {
      const answer = await runtime.invoke("echo", { url: echoUrl, message: { invocation: i } })
      expect(answer).toMatchObject({ ok: true, result: { reply: { invocation: i } }, unhandled: [] })
    }
    expect(await runtime.end()).toBe(0)
    expect(runtime.stderr).toBe("")
  })

  it(`a kept Home Assistant client survives freezes while the server drops or restarts: each call after a thaw answers within ${AFTER_THAW_MS} ms`, async () => {
    const runtime = startRuntime()
    const event = { haUrl: sim.httpUrl, token: TOKEN }
    const lights = ["light.bedroom", "light.kitchen", "light.living_room"]
    expect(await runtime.invoke("lights", event)).toMatchObject({ ok: true, result: lights })
    const afterThaw: Array<number> = []
    for (let round = 0; round < 6; round++) {
      runtime.child.kill("SIGSTOP")
      await Effect.runPromise(round % 2 === 0 ? sim.dropAll : sim.restart)
      await sleep(300)
      runtime.child.kill("SIGCONT")
      const answer = await runtime.invoke("lights", event)
      expect(answer).toMatchObject({ ok: true, result: lights, unhandled: [] })
      afterThaw.push(answer.ms)
      // and a warm invocation right after, on the same (new) connection
      expect(await runtime.invoke("lights", event)).toMatchObject({ ok: true, result: lights })
    }
    console.log(`[serverless] ms to answer right after a thaw: ${afterThaw.map((ms) => ms.toFixed(0)).join(", ")}`)
    expect(Math.max(...afterThaw)).toBeLessThan(AFTER_THAW_MS)
    expect(sim.acceptedCount).toBeGreaterThanOrEqual(7)
    // Disposed by the platform's shutdown hook, the kept client holds nothing either.
    expect(await runtime.invoke("shutdown", {})).toMatchObject({ ok: true, result: "disposed" })
    expect(await runtime.end()).toBe(0)
  })
})
