// `effect-ws-gateway ha assist` end to end: spawned as a process against the HA simulator on 127.0.0.1, with text,
// a WAV file, and lines on stdin; stdout, stderr and exit codes asserted, bad WAV files included.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HomeAssistantSimulator } from "../../src/testing/index.js"
import { bundleCli, noStack, run } from "./run.js"

const TOKEN = "cli-assist-token-never-print"
const scope = Effect.runSync(Scope.make())
let sim: HomeAssistantSimulator
let dir = ""
let cleanup: () => void = () => undefined

/** A WAV file of `seconds` of silence with the given format. */
const wav = (name: string, rate: number, channels: number, bits: number, seconds: number) => {
  const data = Math.round(rate * seconds) * channels * (bits / 8)
  const bytes = Buffer.alloc(44 + data)
  bytes.write("RIFF", 0)
  bytes.writeUInt32LE(36 + data, 4)
  bytes.write("WAVEfmt ", 8)
  bytes.writeUInt32LE(16, 16)
  bytes.writeUInt16LE(1, 20)
  bytes.writeUInt16LE(channels, 22)
  bytes.writeUInt32LE(rate, 24)
  bytes.writeUInt32LE(rate * channels * (bits / 8), 28)
  bytes.writeUInt16LE(channels * (bits / 8), 32)
  bytes.writeUInt16LE(bits, 34)
  bytes.write("data", 36)
  bytes.writeUInt32LE(data, 40)
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}

beforeAll(async () => {
  cleanup = await bundleCli()
  dir = mkdtempSync(join(tmpdir(), "effect-ws-gateway-assist-"))
  sim = await Effect.runPromise(Scope.extend(HomeAssistantSimulator.make({ accessToken: TOKEN }), scope))
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
  cleanup()
})

describe("effect-ws-gateway ha assist", () => {
  const at = () => ["--server", sim.httpUrl, "--token", TOKEN]

  it("prints HA's spoken answer and exits 0; the light really turned on", async () => {
    const result = await run(["ha", "assist", "turn on the bedroom light", ...at()])
    expect([result.code, result.stdout, result.stderr]).toStrictEqual([0, "Turned on the light\n", ""])
    expect(sim.states.find((s) => s.entity_id === "light.bedroom")?.state).toBe("on")
  })

  it("no intent matched: HA's answer, exit 1", async () => {
    const result = await run(["ha", "assist", "sing me a song", ...at()])
    expect([result.code, result.stdout]).toStrictEqual([1, "Sorry, I couldn't understand that\n"])
    expect(noStack(result.stderr)).toBe(true)
  })

  it("--audio: a 16 kHz mono 16-bit WAV in 100 ms chunks; what HA heard on stderr, its answer on stdout", async () => {
    await Effect.runPromise(sim.setAssistTranscript("turn off the bedroom light"))
    const runs = sim.assistRuns.length
    const result = await run(["ha", "assist", "--audio", wav("ok.wav", 16_000, 1, 16, 1.5), ...at()])
    expect([result.code, result.stdout, result.stderr]).toStrictEqual([0, "Turned off the light\n", "heard: turn off the bedroom light\n"])
    expect(sim.assistRuns.slice(runs)).toMatchObject([{ startStage: "stt", audioBytes: 48_000, audioFrames: 15, audioEnded: true, fault: undefined }])
  })

  it("a WAV of another format, a file that is not a WAV, a missing file: a usage error (exit 2), nothing sent", async () => {
    const runs = sim.count("assist_pipeline/run")
    const stereo = await run(["ha", "assist", "--audio", wav("cd.wav", 44_100, 2, 16, 0.1), ...at()])
    expect(stereo.code).toBe(2)
    expect(stereo.stderr.trim()).toBe(`error: --audio ${join(dir, "cd.wav")}: expected 16 kHz mono 16-bit PCM, got 44100 Hz, 2 channels, 16-bit`)
    const eight = await run(["ha", "assist", "--audio", wav("8bit.wav", 16_000, 1, 8, 0.1), ...at()])
    expect(eight.stderr).toContain("got 16000 Hz, 1 channel, 8-bit")
    writeFileSync(join(dir, "notes.txt"), "not audio")
    const text = await run(["ha", "assist", "--audio", join(dir, "notes.txt"), ...at()])
    expect(text.stderr).toContain("not a WAV file")
    const missing = await run(["ha", "assist", "--audio", join(dir, "nope.wav"), ...at()])
    expect(missing.stderr).toContain("cannot be read (ENOENT)")
    for (const r of [eight, text, missing]) expect(r.code).toBe(2)
    for (const r of [stereo, eight, text, missing]) expect(noStack(r.stderr + r.stdout)).toBe(true)
    expect(sim.count("assist_pipeline/run")).toBe(runs)
  })

  it("without text, each line on stdin is asked in turn, as one conversation", async () => {
    const before = sim.received.length
    const result = await run(["ha", "assist", ...at()], "turn on the coffee maker\n\nwhat is the outdoor temperature\n")
    expect([result.code, result.stdout]).toStrictEqual([0, "Turned on the switch\nOutdoor Temperature is 11.5 °C\n"])
    const asked = sim.received.slice(before).filter((r) => r.message.type === "assist_pipeline/run").map((r) => r.message)
    expect(asked).toHaveLength(2)
    expect(asked[0]).not.toHaveProperty("conversation_id")
    expect(asked[1]?.conversation_id).toMatch(/^01SIMCONV/)
  })

  it("--tts also prints a signed URL of the spoken answer, which a plain HTTP client can fetch", async () => {
    const result = await run(["ha", "assist", "what is the outdoor temperature", "--tts", ...at()])
    const [answer, url] = result.stdout.trim().split("\n")
    expect(answer).toBe("Outdoor Temperature is 11.5 °C")
    expect(url).toMatch(new RegExp(`^${sim.httpUrl}/api/tts_proxy/.*authSig=`))
    const audio = await fetch(url!)
    expect([audio.status, await audio.text()]).toStrictEqual([200, "ID3Outdoor Temperature is 11.5 °C"])
  })

  it("--simulator works, text and audio; a pipeline error is one line and exit 1; --help", async () => {
    const text = await run(["ha", "assist", "what is the outdoor temperature", "--simulator"])
    expect([text.code, text.stdout]).toStrictEqual([0, "Outdoor Temperature is 11.5 °C\n"])
    const audio = await run(["ha", "assist", "--audio", wav("sim.wav", 16_000, 1, 16, 0.5), "--simulator"])
    expect([audio.code, audio.stdout, audio.stderr]).toStrictEqual([0, "Outdoor Temperature is 11.5 °C\n", "heard: what is the outdoor temperature\n"])
    await Effect.runPromise(sim.failNextAssistRun("intent-failed", "Unexpected error during intent recognition"))
    const failed = await run(["ha", "assist", "turn on the bedroom light", ...at()])
    expect([failed.code, failed.stderr]).toStrictEqual([1, "error: Assist pipeline failed (intent-failed): Unexpected error during intent recognition\n"])
    const help = await run(["ha", "assist", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--audio")
    for (const r of [text, audio, failed, help]) expect(r.stdout + r.stderr).not.toContain(TOKEN)
  })
})
