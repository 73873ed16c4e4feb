// A small W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over fetch, for a driver on 127.0.0.1: only what
// the browser test needs — wait for the driver, open a session, navigate, run a script, close the session.

/** A JSON value, as WebDriver sends and receives them. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** An error the driver answered with: `error` is the spec's code ("script timeout", "session not created", …). */
export class WebDriverError extends Error {
  constructor(readonly command: string, readonly error: string, readonly detail: string) {
    super(`WebDriver ${command}: ${error}: ${detail}`)
    this.name = "WebDriverError"
  }
}

const send = async (
  endpoint: string,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body: Json | undefined,
  timeoutMs: number
): Promise<Json> => {
  const command = `${method} ${path}`
  const response = await fetch(`${endpoint}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs)
  })
  const text = await response.text()
  let reply: { readonly value?: Json }
  try {
    reply = JSON.parse(text) as { readonly value?: Json }
  } catch {
    throw new WebDriverError(command, `HTTP ${response.status}`, text.slice(0, 500))
  }
  const value = reply.value ?? null
  if (!response.ok) {
    const failure = (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as {
      readonly error?: Json
      readonly message?: Json
    }
    throw new WebDriverError(command, String(failure.error ?? `HTTP ${response.status}`), String(failure.message ?? text))
  }
  return value
}

/** Polls GET /status until the driver says it is ready; fails with the last reason after `timeoutMs`. */
export const waitUntilReady = async (endpoint: string, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  let last = "no answer"
  while (Date.now() < deadline) {
    try {
      const status = await send(endpoint, "GET", "/status", undefined, 1_000) as { readonly ready?: Json }
      if (status.ready === true) return
      last = JSON.stringify(status)
    } catch (error) {
      last = String((error as { cause?: unknown }).cause ?? error)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`WebDriver at ${endpoint} not ready after ${timeoutMs} ms: ${last}`)
}

/** An open session; every command fails with a WebDriverError if the driver answers with one. */
export interface Session {
  readonly id: string
  /** The capabilities the driver matched, e.g. browserName and browserVersion. */
  readonly capabilities: { readonly browserName: string; readonly browserVersion: string }
  readonly navigate: (url: string) => Promise<void>
  /** Runs `script` as a function body with `args` as `arguments`; a returned promise is awaited. */
  readonly executeSync: (script: string, args: ReadonlyArray<Json>) => Promise<Json>
  /** As executeSync, with a callback appended to `arguments`: its argument is the result. */
  readonly executeAsync: (script: string, args: ReadonlyArray<Json>) => Promise<Json>
  /** Ends the session (the driver closes the browser); answers within `timeoutMs`. */
  readonly close: (timeoutMs: number) => Promise<void>
}

/** POST /session with `alwaysMatch`; commands wait up to `timeoutMs` for the driver's answer. */
export const newSession = async (
  endpoint: string,
  alwaysMatch: { readonly [capability: string]: Json },
  timeoutMs: number
): Promise<Session> => {
  const created = await send(endpoint, "POST", "/session", { capabilities: { alwaysMatch } }, timeoutMs) as {
    readonly sessionId: string
    readonly capabilities: Session["capabilities"]
  }
  const session = `/session/${encodeURIComponent(created.sessionId)}`
  return {
    id: created.sessionId,
    capabilities: created.capabilities,
    navigate: async (url) => {
      await send(endpoint, "POST", `${session}/url`, { url }, timeoutMs)
    },
    executeSync: (script, args) => send(endpoint, "POST", `${session}/execute/sync`, { script, args }, timeoutMs),
    executeAsync: (script, args) => send(endpoint, "POST", `${session}/execute/async`, { script, args }, timeoutMs),
    close: async (closeTimeoutMs) => {
      await send(endpoint, "DELETE", session, undefined, closeTimeoutMs)
    }
  }
}
