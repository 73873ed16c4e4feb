// WebKit (Safari's engine) for the browser test: Debian's WebKitGTK MiniBrowser, driven by WebKitWebDriver over W3C
// WebDriver (./webdriver.ts) on a port of 127.0.0.1, drawing on an Xvfb display this module starts. Xvfb and the
// driver each lead a process group (the driver's holds MiniBrowser and its web and network processes); close() ends
// the session and kills both groups, and a worker that exits without close() kills them on its way out.
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { newSession, type Session, waitUntilReady } from "./webdriver.js"

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The path in `variable`, else the first executable candidate; else an error that says what to install. */
const locate = (variable: string, candidates: () => ReadonlyArray<string>, install: string) => {
  const given = process.env[variable]
  if (given !== undefined) {
    if (!executable(given)) throw new Error(`WebKit: ${variable}=${given} is not an executable file`)
    return given
  }
  const path = candidates().find(executable)
  if (path === undefined) throw new Error(`WebKit: ${install} not found; install it, or set ${variable}`)
  return path
}
const onPath = (name: string) => () =>
  (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "").map((dir) => join(dir, name))
// Debian installs it under /usr/lib/<multiarch>/webkit2gtk-4.1/, Fedora under /usr/libexec/webkit2gtk-4.1/.
const miniBrowsers = () =>
  ["/usr/libexec", "/usr/lib", ...readdirSync("/usr/lib").map((dir) => join("/usr/lib", dir))].flatMap((root) =>
    ["webkit2gtk-4.1", "webkit2gtk-4.0"].map((api) => join(root, api, "MiniBrowser"))
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Process groups started and not yet stopped, and directories not yet removed: cleared if the worker exits first. */
const groups = new Set<number>()
const homes = new Set<string>()
process.on("exit", () => {
  for (const pgid of groups) signalGroup(pgid, "SIGKILL")
  for (const home of homes) rmSync(home, { recursive: true, force: true })
})
const signalGroup = (pgid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: nothing is left in the group
  }
}
// Whether a process of group `pgid` still runs. A zombie does not count: the web and network processes outlive
// MiniBrowser as zombies until init reaps them, which some containers' init does late or never.
const runs = (pgid: number) =>
  readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid)) return false
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      return Number(group) === pgid && state !== "Z"
    } catch {
      return false // it ended while we looked
    }
  })
const stopGroup = async (pgid: number) => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    signalGroup(pgid, signal)
    for (const deadline = Date.now() + 3_000; Date.now() < deadline; await sleep(20)) {
      if (!runs(pgid)) {
        groups.delete(pgid)
        return
      }
    }
  }
  throw new Error(`WebKit: process group ${pgid} still runs after SIGKILL`)
}

/** Spawns `command` as the leader of a new process group, keeping the end of its stderr for error messages. */
const start = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, extraFd = false) => {
  const stdio = ["ignore", "ignore", "pipe", ...(extraFd ? ["pipe" as const] : [])] as const
  const child = spawn(command, args, { detached: true, env, stdio: [...stdio] })
  if (child.pid !== undefined) groups.add(child.pid)
  let stderr = ""
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000)
  })
  const exited = new Promise<string>((resolve) => {
    child.once("error", (error) => resolve(`${command}: ${error.message}`))
    child.once("exit", (code, signal) => resolve(`${command} exited (${signal ?? code}): ${stderr.trim()}`))
  })
  return { child, exited, stderr: () => stderr.trim() }
}

/** Resolves with what `ready` resolves with, or rejects with the reason the process exited first. */
const unlessExited = <A>(ready: Promise<A>, exited: Promise<string>) =>
  Promise.race([ready, exited.then((reason) => Promise.reject(new Error(`WebKit: ${reason}`)))])

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

export interface WebKit {
  readonly session: Session
  /** Ends the session and stops every process launch() started; safe to call twice. */
  readonly close: () => Promise<void>
}

/** Starts Xvfb, WebKitWebDriver and, through a new session, MiniBrowser; on failure stops what it started. */
export const launch = async (): Promise<WebKit> => {
  const xvfbPath = locate("XVFB_PATH", onPath("Xvfb"), "Xvfb (Debian's xvfb)")
  const driverPath = locate("WEBKIT_DRIVER_PATH", onPath("WebKitWebDriver"), "WebKitWebDriver (Debian's webkit2gtk-driver)")
  const browserPath = locate("WEBKIT_BROWSER_PATH", miniBrowsers, "MiniBrowser (Debian's libwebkit2gtk-4.1-0)")

  // MiniBrowser's caches and settings go to a directory removed on close, not to $HOME.
  const home = mkdtempSync(join(tmpdir(), "effect-ws-gateway-webkit-"))
  homes.add(home)
  const started: Array<ChildProcess> = []
  let session: Session | undefined
  let closing: Promise<void> | undefined
  const close = () =>
    closing ??= (async () => {
      const failures: Array<unknown> = []
      if (session !== undefined) await session.close(5_000).catch(() => undefined) // the groups' kill is the backstop
      for (const child of started.reverse()) {
        if (child.pid !== undefined) await stopGroup(child.pid).catch((error: unknown) => failures.push(error))
      }
      rmSync(home, { recursive: true, force: true })
      homes.delete(home)
      if (failures.length > 0) throw failures[0]
    })()

  try {
    // -displayfd: Xvfb takes the first free display and writes its number to fd 3 once it accepts clients.
    const xvfb = start(xvfbPath, ["-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1280x800x24"], process.env, true)
    started.push(xvfb.child)
    const display = await unlessExited(
      new Promise<string>((resolve) => xvfb.child.stdio[3]!.once("data", (data: Buffer) => resolve(data.toString().trim()))),
      xvfb.exited
    )

    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: `:${display}`, NO_AT_BRIDGE: "1" }
    for (const name of ["http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]) delete env[name]
    for (const [name, dir] of [["XDG_CACHE_HOME", "cache"], ["XDG_CONFIG_HOME", "config"], ["XDG_DATA_HOME", "data"]]) {
      env[name!] = join(home, dir!)
    }
    const driver = start(driverPath, [`--port=${port}`, "--host=127.0.0.1"], env)
    started.push(driver.child)
    const endpoint = `http://127.0.0.1:${port}`
    await unlessExited(waitUntilReady(endpoint, 10_000), driver.exited)

    const opened = await unlessExited(
      newSession(endpoint, {
        "webkitgtk:browserOptions": { binary: browserPath, args: ["--automation"] },
        proxy: { proxyType: "direct" },
        // Under the test's own 20 s, so a stuck page call fails as the driver's "script timeout".
        timeouts: { script: 15_000, pageLoad: 15_000, implicit: 0 }
      }, 20_000).catch((error: unknown) =>
        Promise.reject(new Error(`WebKit: WebKitWebDriver opened no session with ${browserPath}: ${error}\n${driver.stderr()}`))
      ),
      driver.exited
    )
    session = opened
    return { session: opened, close }
  } catch (error) {
    await close().catch(() => undefined)
    throw error
  }
}
