// The command-line transcripts of src/cli/README.md, run: each `$` line through sh (the bundled CLI for
// `npx effect-ws-gateway`, a local echo server for ws://127.0.0.1:8080), its output compared with the transcript's.
// Timestamps, ports, ids and round-trip times are normalised; a transcript of a live tail (`timeout …`) must appear
// in order.
import { execFile } from "node:child_process"
import { once } from "node:events"
import { readFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, expect, it } from "vitest"
import { WebSocketServer } from "ws"
import { bundleCli, cliPath, repo } from "./run.js"

const section = readFileSync(join(repo, "src", "cli", "README.md"), "utf8")
const commands = [...section.matchAll(/```console\n([\s\S]*?)```/g)].flatMap((block) =>
  block[1]!.split(/^\$ /m).filter((part) => part.trim() !== "").map((part) => {
    const [command = "", ...output] = part.replace(/\n$/, "").split("\n")
    return { command, output }
  })
)

const normalise = (lines: ReadonlyArray<string>) =>
  lines.map((line) =>
    line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, "<time>").replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
      .replace(/pong in \d+ ms/, "pong in N ms").replace(/01SIM\d+/g, "<id>").trimEnd()
  )

let server: WebSocketServer
let cleanup: () => void = () => undefined
beforeAll(async () => {
  cleanup = await bundleCli()
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(server, "listening")
  server.on("connection", (socket) => socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary })))
})
afterAll(() => {
  server.close()
  cleanup()
})

it("src/cli/README.md has a transcript for each command", () => {
  const names = commands.map(({ command }) => command.replace(/^timeout -s INT \d+ /, "").replace(/^printf .*\| /, "").split(" ").slice(2, 4).join(" "))
  expect(names).toStrictEqual(["request ws://127.0.0.1:8080", "connect ws://127.0.0.1:8080", "ha states", "ha call", "ha watch", "ha watch", "ha history", "ha info", "ha ping", "ha assist"])
})

it.each(commands.map((c) => [c.command, c] as const))("CLI transcript: $ %s", async (_, { command, output }) => {
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`
  const shell = command.replaceAll("npx effect-ws-gateway", `${process.execPath} ${cliPath()}`).replaceAll("ws://127.0.0.1:8080", url)
  const result = await promisify(execFile)("sh", ["-c", shell], { cwd: repo, env: { PATH: process.env.PATH, HOME: process.env.HOME } })
    .catch((error: { stdout: string; stderr: string; code: number }) => error)
  const actual = normalise(result.stdout.replace(/\n$/, "").split("\n"))
  const expected = normalise(output)
  if (command.startsWith("timeout")) {
    // A live tail: what the transcript shows arrives first, in order (more may follow in the time given).
    expect(actual.slice(0, expected.length)).toStrictEqual(expected)
  } else {
    expect(actual).toStrictEqual(expected)
  }
}, 20_000)
