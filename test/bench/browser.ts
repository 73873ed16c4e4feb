/**
 * The browser rows: sequential latency in headless Chromium (our web transport against the page's raw WebSocket,
 * interleaved in one page), and the minified + gzip browser bundle of the HA client beside home-assistant-js-websocket's
 * and beside the Effect modules alone. Both bundle the built package (`npm run build`), as a user's bundler would.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"
import { chromium } from "playwright-core"

const repo = resolve(import.meta.dirname, import.meta.filename.endsWith(".js") ? "../../../../.." : "../..")

const bundle = async (contents: string) => {
  const result = await build({
    stdin: { contents, resolveDir: repo, loader: "js" },
    bundle: true,
    minify: true,
    platform: "browser",
    format: "iife",
    write: false,
    logLevel: "silent",
    alias: { "effect-ws-gateway": resolve(repo, "dist/web.js") }
  })
  return result.outputFiles[0]!.text
}

const gzipKb = (text: string) => gzipSync(text, { level: 9 }).length / 1024

// An Effect app's own floor: the modules the HA client builds on, bundled alone and kept whole.
const EFFECT_MODULES = `import { Effect, Layer, Schedule, Schema, Stream } from "effect"
globalThis.keep = [Effect, Layer, Schedule, Schema, Stream]`

/** Bundle sizes, in KB gzip: the Effect floor, our HA client on that floor, and HAWS. */
export const bundleSizes = async () => {
  const floor = gzipKb(await bundle(EFFECT_MODULES))
  const ours = gzipKb(await bundle(`${EFFECT_MODULES}
import { HomeAssistant, HomeAssistantLive } from "effect-ws-gateway"
globalThis.app = Effect.flatMap(HomeAssistant, (ha) => Effect.zip(ha.getStates(), ha.callService("light", "turn_on")))
  .pipe(Effect.provide(HomeAssistantLive({ url: "http://127.0.0.1:8123", accessToken: "t" })))`))
  const haws = gzipKb(await bundle(`import { createConnection, createLongLivedTokenAuth, subscribeEntities, callService } from "home-assistant-js-websocket"
globalThis.app = async () => {
  const connection = await createConnection({ auth: createLongLivedTokenAuth("http://127.0.0.1:8123", "t") })
  subscribeEntities(connection, () => undefined)
  await callService(connection, "light", "turn_on")
}`))
  return { floor, ours, haws }
}

const chromiumPath = () => {
  try {
    return process.env.CHROMIUM_PATH ?? execFileSync("sh", ["-c", "command -v chromium"]).toString().trim()
  } catch {
    throw new Error("the browser rows need Debian's chromium (apt-get install chromium), or CHROMIUM_PATH")
  }
}

/** Mean sequential send→receive latency (ms) per round in Chromium, raw WebSocket and ours alternating. */
export const chromiumLatencies = async (url: string, count: number, rounds: number, warmup: boolean) => {
  const page = await bundle(readFileSync(resolve(repo, "test/bench/browserPage.mjs"), "utf8"))
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox", "--headless=new"] })
  try {
    const tab = await browser.newPage()
    await tab.addScriptTag({ content: page })
    const run = (name: "raw" | "ours" | "floor") =>
      tab.evaluate(([name, url, count]) =>
        (globalThis as unknown as { bench: Record<string, (u: string, c: number) => Promise<number>> }).bench[name]!(url, count),
        [name, url, count] as const)
    const names = ["raw", "ours", "floor"] as const
    if (warmup) for (const name of names) await run(name)
    const samples = { raw: [] as Array<number>, ours: [] as Array<number>, floor: [] as Array<number> }
    for (let round = 0; round < rounds; round++) for (const name of names) samples[name].push(await run(name))
    return samples
  } finally {
    await browser.close()
  }
}
