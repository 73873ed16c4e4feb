/**
 * The start-up workloads: each run is a fresh `node` child process, timed from `spawn` by the bench's process.
 *
 * - Cold start (`coldstart`): a small app (test/bench/coldstart/*.mjs) connects to a local server, sends one
 *   message, prints its answer as one JSON line and exits. The line also says when the app's imports had finished
 *   (`performance.now()`, from the child's own time origin, at the first statement after its imports) and the
 *   child's RSS right after the answer. Each app runs as it is and bundled with esbuild (`--bundle --platform=node`,
 *   `--format=cjs` or `--format=esm`, nothing external, no banner unless a row says so).
 * - CLI start-up (`cli`): whole runs of `node dist/cli/main.js …`, of `wscat` and of `node -e 0`, from spawn to exit.
 * - Every run's environment is the bench's without NODE_EXTRA_CA_CERTS (see `extraCaCerts`), but for the rows named
 *   "with NODE_EXTRA_CA_CERTS".
 *
 * The built package is copied first (prepareStartup), as an installed dependency of a throw-away app project in
 * test/bench/.build/startup: `node_modules/effect-ws-gateway/` holds the repository's package.json and `dist/` (no
 * source maps or declarations). The apps and bundles import it by its name from there, so nothing resolves to the
 * repository itself (its package.json would make "effect-ws-gateway" a self-reference), and a rebuild of `dist/`
 * by someone else on the machine cannot pull files from under a run. `effect`, `ws` and home-assistant-js-websocket
 * resolve to the repository's node_modules, as they would from a user's.
 */
import { spawn, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { build } from "esbuild"

const repo = resolve(import.meta.dirname, import.meta.filename.endsWith(".js") ? "../../../../.." : "../..")
/** The throw-away app project the start-up workloads run in (ignored by git, with the rest of .build). */
export const startupDir = resolve(repo, "test/bench/.build/startup")
const installed = resolve(startupDir, "node_modules/effect-ws-gateway")
/** The CLI as installed: the bundle `npm run build` makes (build:cli), copied with the package. */
export const installedCli = resolve(installed, "dist/cli/main.js")
/** The installed command itself (`bin`): a launcher that turns on Node's compile cache (22.1+), then imports main.js. */
export const installedBin = resolve(installed, "dist/cli/bin.js")
/** The installed package's package.json (our CLI reads its version there). */
export const installedPackageJson = resolve(installed, "package.json")
/** Node 22 from the npm registry (test/package/node-versions, installed by CI), for the compile-cache rows; if absent, they are skipped. */
export const node22: string | undefined = [resolve(repo, "test/package/node-versions/node_modules/node22/bin/node")].find((file) => existsSync(file))
/** Node 22's module compile cache for those rows (NODE_COMPILE_CACHE, what `module.enableCompileCache()` turns on), emptied by prepareStartup. */
export const compileCacheDir = resolve(startupDir, "compile-cache")
/** wscat's own script (`node_modules/.bin/wscat` links to it), run with the bench's Node as our CLI is. */
export const wscatScript = resolve(repo, "node_modules/wscat/bin/wscat")

/** `dist/cli/main.js` as build:cli leaves it: the one-file bundle, with its `require` banner. */
const isBundledCli = (file: string) => {
  try {
    return readFileSync(file, "utf8").slice(0, 300).includes("__createRequire")
  } catch {
    return false
  }
}

/**
 * Copies the built package into the app project. Waits (up to 2 minutes) for a finished build: `dist/index.js`
 * present and `dist/cli/main.js` bundled (build:cli is the build's last step). A copy during which the build was
 * restarted (build:clean removes `dist/` first) is retried.
 */
const copyPackage = async () => {
  const dist = resolve(repo, "dist")
  const cli = resolve(dist, "cli/main.js")
  for (let attempt = 0; attempt < 120; attempt++) {
    if (existsSync(resolve(dist, "index.js")) && isBundledCli(cli)) {
      const before = statSync(cli).mtimeMs
      try {
        rmSync(installed, { recursive: true, force: true })
        mkdirSync(installed, { recursive: true })
        cpSync(resolve(repo, "package.json"), resolve(installed, "package.json"))
        cpSync(dist, resolve(installed, "dist"), {
          recursive: true,
          filter: (source) => !source.endsWith(".map") && !source.endsWith(".d.ts") && !source.endsWith(".tsbuildinfo")
        })
        if (isBundledCli(cli) && statSync(cli).mtimeMs === before && isBundledCli(installedCli)) return
      } catch {
        // dist/ changed while it was copied: try again
      }
    }
    await sleep(1000)
  }
  throw new Error("no finished build in dist/ (dist/index.js and the bundled dist/cli/main.js) after 2 minutes: run npm run build")
}

/** The apps, unbundled (`app/NAME.mjs`) and bundled (`bundle/FORMAT/NAME.cjs` or `.mjs`). */
export interface StartupFiles {
  readonly app: (name: string) => string
  readonly bundle: (name: string, format: "cjs" | "esm") => string
  /** Bytes of a bundle. */
  readonly size: (file: string) => number
}

/**
 * `ws` is CommonJS and requires Node's builtins, which an esbuild ESM bundle cannot do without a `require` (the
 * shim throws 'Dynamic require of "events" is not supported'). Apps that import `ws` themselves need this banner to
 * run as ESM bundles; it is the one build:cli uses. Ours loads `ws` through src/platform/node/loadWs.ts and needs
 * none.
 */
const REQUIRE_BANNER = "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);"

/** Copies the package and the apps into the app project and, unless told not to, bundles the apps (in parallel). */
export const prepareStartup = async (bundleApps = true): Promise<StartupFiles> => {
  await copyPackage()
  // Its own package scope: inside the repository's, "effect-ws-gateway" would resolve to the repository itself.
  writeFileSync(resolve(startupDir, "package.json"), `${JSON.stringify({ name: "startup-bench-app", private: true, type: "module" })}\n`)
  const sources = resolve(repo, "test/bench/coldstart")
  rmSync(resolve(startupDir, "app"), { recursive: true, force: true })
  rmSync(resolve(startupDir, "bundle"), { recursive: true, force: true })
  rmSync(compileCacheDir, { recursive: true, force: true })
  mkdirSync(resolve(startupDir, "app"), { recursive: true })
  for (const file of readdirSync(sources).filter((f) => f.endsWith(".mjs"))) {
    cpSync(resolve(sources, file), resolve(startupDir, "app", file))
  }
  const app = (name: string) => resolve(startupDir, "app", `${name}.mjs`)
  const bundle = (name: string, format: "cjs" | "esm") => resolve(startupDir, "bundle", format, `${name}.${format === "cjs" ? "cjs" : "mjs"}`)
  // One build per format: the entry points of one build share its parsing (each still gets a bundle of its own).
  const bundleAll = (names: ReadonlyArray<string>, format: "cjs" | "esm", outdir: string, banner?: string) =>
    build({
      entryPoints: names.map(app),
      absWorkingDir: startupDir,
      bundle: true,
      platform: "node",
      format,
      outdir: resolve(startupDir, "bundle", outdir),
      outExtension: { ".js": format === "cjs" ? ".cjs" : ".mjs" },
      logLevel: "error",
      ...(banner === undefined ? {} : { banner: { js: banner } })
    })
  if (bundleApps) {
    await Promise.all([
      bundleAll(["ours", "raw", "floor", "floorLayer", "haws", "oursHa"], "cjs", "cjs"),
      bundleAll(["ours", "oursHa"], "esm", "esm"),
      // (raw ws as ESM, and the floor that imports it, need the banner: a build of their own, into the same directory)
      bundleAll(["raw", "floor", "floorLayer"], "esm", "esm", REQUIRE_BANNER)
    ])
  }
  return { app, bundle, size: (file) => statSync(file).size }
}

/** What a cold-start app printed, and when its line arrived and its process ended (ms from spawn). */
export interface ColdStart {
  /** Spawn → the answer's line read from the child's stdout. */
  readonly answerMs: number
  /** Spawn → the child's exit. */
  readonly exitMs: number
  /** The child's `performance.now()` when its imports had finished (from its own time origin). */
  readonly loadedMs: number
  /** The child's RSS right after the answer. */
  readonly rss: number
  readonly reply: unknown
}

/** Another Node binary than the bench's, variables added to the environment, and whether to keep NODE_EXTRA_CA_CERTS. */
export interface RunOptions {
  readonly node?: string
  readonly env?: Readonly<Record<string, string>>
  /** Run with the bench's own NODE_EXTRA_CA_CERTS (the rows that show what it costs); by default it is removed. */
  readonly extraCaCerts?: boolean
}

/**
 * The bench's NODE_EXTRA_CA_CERTS, if it has one. This sandbox sets it (to Debian's whole CA bundle), and Node 20
 * reads and parses that file when every process starts, certificates or not: `node -e 0` takes 0.08–0.10 s with it
 * and 0.02–0.03 s without (2026-12-07). That fixed cost sat in every start-up row, baseline included, and squeezed
 * every ratio toward 1. A developer's machine or a serverless runtime usually has no such variable, so the start-up
 * runs go without it; rows named "with NODE_EXTRA_CA_CERTS" keep it, to show the difference in the same rounds.
 */
export const extraCaCerts: string | undefined = process.env.NODE_EXTRA_CA_CERTS

/** The bench's environment without NODE_EXTRA_CA_CERTS: what the start-up runs get. */
const startupEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== "NODE_EXTRA_CA_CERTS")
)

interface Spawned {
  readonly firstLineMs: number | undefined
  readonly exitMs: number
  readonly stdout: string
}

/**
 * Spawns `node ARGS` and times it: the first full line on stdout and the exit, in ms from just before `spawn`.
 * stdin is a pipe held open until the child exits (wscat quits as soon as its stdin ends). Fails on a non-zero
 * exit or after 60 s.
 */
const spawnTimed = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  new Promise<Spawned>((done, reject) => {
    const env = { ...(options.extraCaCerts === true ? process.env : startupEnv), ...options.env }
    const start = performance.now()
    const child = spawn(options.node ?? process.execPath, args, { cwd: startupDir, env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let firstLineMs: number | undefined
    let exitMs = 0
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
      if (firstLineMs === undefined && stdout.includes("\n")) firstLineMs = performance.now() - start
    })
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    child.once("error", reject)
    child.once("exit", () => {
      exitMs = performance.now() - start
      clearTimeout(timer)
      child.stdin.destroy()
    })
    // "close" comes once the child's output has all been read
    child.once("close", (code, signal) => {
      if (code !== 0) {
        const output = stderr.trim().split("\n").slice(0, 5).join(" | ")
        reject(new Error(`node ${args.join(" ")} exited with ${code ?? signal}${output === "" ? "" : `: ${output}`}`))
      } else {
        done({ firstLineMs, exitMs, stdout })
      }
    })
  })

/** Runs one cold-start app once; `check` validates its reply (throws with what was wrong). */
export const coldStart = async (
  file: string,
  args: ReadonlyArray<string>,
  check: (reply: unknown) => boolean,
  options?: RunOptions
): Promise<ColdStart> => {
  const run = await spawnTimed([file, ...args], options)
  if (run.firstLineMs === undefined) throw new Error(`${file} printed nothing`)
  const line = JSON.parse(run.stdout.split("\n")[0] ?? "") as { loaded: number; rss: number; reply: unknown }
  if (!check(line.reply)) throw new Error(`${file}: unexpected reply ${JSON.stringify(line.reply)}`)
  return { answerMs: run.firstLineMs, exitMs: run.exitMs, loadedMs: line.loaded, rss: line.rss, reply: line.reply }
}

/** Runs one command line to its exit; `check` validates its whole stdout. Returns ms from spawn to exit. */
export const commandRun = async (args: ReadonlyArray<string>, check: (stdout: string) => boolean, options?: RunOptions): Promise<number> => {
  const run = await spawnTimed(args, options)
  if (!check(run.stdout)) throw new Error(`node ${args.join(" ")}: unexpected output ${JSON.stringify(run.stdout.slice(0, 200))}`)
  return run.exitMs
}

/** Whether valgrind is installed (Debian's `valgrind`), for the instruction-count rows. */
export const hasValgrind = (): boolean => {
  try {
    return spawnSync("valgrind", ["--version"], { stdio: "ignore" }).status === 0
  } catch {
    return false
  }
}

/**
 * One cold start under callgrind: the instructions the whole process executed (`Collected`), in millions. Node runs
 * with `--single-threaded` (no background compiler or GC threads), so the count repeats within a few tenths of a
 * percent where wall time on a shared machine varies by several percent. callgrind slows the run ~70×: ~10 s each.
 */
export const instructionCount = (file: string, args: ReadonlyArray<string>): Promise<number> =>
  new Promise((done, reject) => {
    const child = spawn("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, "--single-threaded", file, ...args], {
      cwd: startupDir,
      env: startupEnv,
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000)
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    child.once("error", reject)
    child.once("close", (code) => {
      clearTimeout(timer)
      const collected = /Collected : (\d+)/.exec(stderr)
      if (code !== 0 || collected === null) reject(new Error(`callgrind of ${file} exited with ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`))
      else done(Number(collected[1]) / 1e6)
    })
  })
