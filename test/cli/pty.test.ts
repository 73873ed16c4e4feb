// `connect` under a real pseudo-terminal (tmux): lines typed are sent, inbound messages are printed while a line is
// half typed (and the typed text is redrawn under them), and Ctrl-C closes with 1000 and exits 130.
import { execFileSync } from "node:child_process"
import { once } from "node:events"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, expect, it } from "vitest"
import { WebSocketServer } from "ws"
import { bundleCli, cliPath } from "./run.js"

const socket = `effect-ws-gateway-test-${process.pid}`
const tmux = (...args: ReadonlyArray<string>) => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args]).toString()
const screen = (session = "cli", escapes = false) => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", session)
const until = async (what: string, test: (text: string) => boolean, session = "cli", escapes = false) => {
  for (let i = 0; i < 300; i++) {
    const text = screen(session, escapes)
    if (test(text)) return text
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the terminal never showed ${what}:\n${screen(session, escapes)}`)
}

let server: WebSocketServer
let cleanup: () => void = () => undefined
const closes: Array<number> = []

beforeAll(async () => {
  cleanup = await bundleCli()
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(server, "listening")
  server.on("connection", (ws) => {
    let n = 0
    const timer = setInterval(() => ws.send(`tick ${++n}`), 300)
    ws.on("message", (data) => ws.send(`echo: ${String(data)}`))
    ws.on("close", (code) => {
      clearInterval(timer)
      closes.push(code)
    })
  })
})

afterAll(() => {
  try {
    tmux("kill-server")
  } catch {
    // already gone
  }
  server.close()
  cleanup()
})

it("reads typed lines and prints inbound messages while typing; Ctrl-C closes with 1000 and exits 130", async () => {
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  tmux("new-session", "-d", "-s", "cli", "-x", "100", "-y", "40", `${process.execPath} ${cliPath()} connect ${url}; echo EXIT=$?; sleep 30`)
  await until("the connection", (text) => text.includes("connected to"))
  tmux("send-keys", "-t", "cli", "-l", "hel")
  // Ticks keep arriving while "hel" is half typed: each is printed above, and the prompt line shows "> hel" again.
  const typing = await until("a tick while typing", (text) => /tick \d+/.test(text) && text.trimEnd().endsWith("> hel"))
  expect(typing).toMatch(/tick \d+\n(?:.*\n)*> hel/)
  tmux("send-keys", "-t", "cli", "-l", "lo")
  tmux("send-keys", "-t", "cli", "Enter")
  await until("the echo", (text) => text.includes("echo: hello"))
  tmux("send-keys", "-t", "cli", "C-c")
  const ended = await until("the exit", (text) => text.includes("EXIT="))
  expect(ended).toContain("EXIT=130")
  expect(ended).toContain("closed 1000")
  expect(closes).toStrictEqual([1000])
}, 30_000)

it("ha watch --entities redraws its table in place on a terminal", async () => {
  tmux("new-session", "-d", "-s", "table", "-x", "100", "-y", "40", `${process.execPath} ${cliPath()} ha watch --entities 'light.*' --simulator`)
  // The simulator's kitchen light toggles every second: wait for two redraws (off, then on again).
  await until("the light off", (text) => /light\.kitchen\s+off/.test(text), "table")
  const again = await until("the light on again", (text) => /light\.kitchen\s+on/.test(text), "table")
  expect(again.match(/^entity\s+state/gm)).toHaveLength(1) // one table, drawn over, not appended
  expect(again.match(/light\.kitchen/g)).toHaveLength(1)
  tmux("kill-session", "-t", "table")
}, 30_000)

it("colours on a terminal, none with NO_COLOR", async () => {
  const session = (name: string, env: string) =>
    tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "20", `${env}${process.execPath} ${cliPath()} ha watch state_changed --simulator`)
  session("colour", "")
  session("plain", "NO_COLOR=1 ")
  const coloured = await until("a coloured event", (text) => text.includes("light.kitchen"), "colour", true)
  const plain = await until("a plain event", (text) => text.includes("light.kitchen"), "plain", true)
  expect(coloured).toContain("\x1b[")
  expect(plain).not.toContain("\x1b[")
  tmux("kill-session", "-t", "colour")
  tmux("kill-session", "-t", "plain")
}, 30_000)
