/**
 * A JSON-RPC 2.0 server for tests: a real `ws` server on 127.0.0.1 (a free port) with a few methods, Ethereum-style
 * subscriptions (`eth_subscribe` / `eth_subscription` / `eth_unsubscribe`) and controls to publish, drop, close,
 * silence and delay. Its records (every call it ran, the per-key counters) are the truth a test checks a client
 * against. Its time is real, like its sockets: `slow` and reply delays run on the live clock even under TestClock.
 */
import type { AddressInfo } from "node:net"
import { Clock, Effect, FiberSet, type Scope } from "effect"
import { type WebSocket, WebSocketServer } from "ws"

/** A JSON-RPC request id. */
export type JsonRpcId = string | number | null

/** One well-formed call the server ran (known method or not), in the order it arrived. */
export interface ExecutedCall {
  /** The connection it came on (1 is the first accepted). */
  readonly connection: number
  readonly method: string
  readonly params: unknown
  /** `undefined` for a notification. */
  readonly id: JsonRpcId | undefined
}

/** One `eth_subscribe` subscription held by a live connection. */
export interface ServerSubscription {
  readonly connection: number
  readonly id: string
  /** The second `eth_subscribe` parameter, if any (`["ticks", label]`): lets a test tell its streams apart. */
  readonly label: unknown
  /** Whether its id has been sent to the client; `publish` reaches only these. */
  readonly live: boolean
}

/** The running server: its address, what it has seen, and its controls. */
export interface JsonRpcServerHandle {
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string
  readonly port: number
  /** Every well-formed call executed, notifications included, in arrival order. */
  readonly calls: ReadonlyArray<ExecutedCall>
  /** The calls of `method`, in arrival order. */
  readonly executions: (method: string) => ReadonlyArray<ExecutedCall>
  /** How many times `count` ran with this key (0 if never): a request executed at most once reads ≤ 1. */
  readonly counter: (key: string) => number
  /** The subscriptions of the connections open now. */
  readonly subscriptions: () => ReadonlyArray<ServerSubscription>
  /** How many subscriptions the connections open now hold. */
  readonly subscriptionCount: () => number
  /** Connections open now. */
  readonly connections: () => number
  /** Connections accepted since the server started. */
  readonly connectionsAccepted: () => number
  /** How each connection ended, in order (1006 when there was no close frame). */
  readonly closes: ReadonlyArray<{ readonly connection: number; readonly code: number; readonly reason: string }>
  /** WebSocket pings received, answered or not. */
  readonly pings: () => number
  /** Sends `{"method":"eth_subscription","params":{"subscription":id,"result":value}}` for every live subscription; succeeds with how many were sent. */
  readonly publish: (value: unknown) => Effect.Effect<number>
  /** Sends a raw text frame to every open connection (a stray response, noise). */
  readonly sendToAll: (text: string) => Effect.Effect<void>
  /** Terminates every connection abruptly: the clients see 1006 and no close frame. */
  readonly dropAll: Effect.Effect<void>
  /** Closes every connection with a close frame carrying `code` (1000 or 3000–4999, or another code `ws` may send). */
  readonly closeAll: (code: number, reason?: string) => Effect.Effect<void>
  /** While silent the server still reads and executes, but sends nothing: no response, no notification, no pong. */
  readonly setSilent: (silent: boolean) => Effect.Effect<void>
  /** The connections open now go silent for good (a half-dead path); connections accepted later answer normally. */
  readonly stallOpenConnections: Effect.Effect<void>
  /** Delays every later response by `millis` real milliseconds (0: none). */
  readonly setReplyDelay: (millis: number) => Effect.Effect<void>
}

/** Options of the server. */
export interface JsonRpcServerOptions {
  /** Initial reply delay in real milliseconds. Default 0. */
  readonly replyDelay?: number
}

interface Connection {
  readonly number: number
  readonly socket: WebSocket
  readonly subscriptions: Map<string, { readonly label: unknown; live: boolean }>
  stalled: boolean
}

interface RpcError {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

/** What a method does: a result (answered after `after` ms; `onSent` runs once it is written) or an error. */
type MethodOutcome =
  | { readonly result: unknown; readonly after?: number; readonly onSent?: () => void }
  | { readonly error: RpcError }

/** One response to write (or nothing, for a notification), when, and what to do once written. */
interface Reply {
  readonly response: object | undefined
  readonly after: number
  readonly onSent: () => void
}

const noop = () => undefined
const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isId = (u: unknown): u is JsonRpcId => u === null || typeof u === "string" || (typeof u === "number" && Number.isFinite(u))
const success = (id: JsonRpcId, result: unknown) => ({ jsonrpc: "2.0", result, id })
const failure = (id: JsonRpcId, error: RpcError) => ({ jsonrpc: "2.0", error, id })
const invalidParams: MethodOutcome = { error: { code: -32602, message: "Invalid params" } }
const invalidRequest: RpcError = { code: -32600, message: "Invalid Request" }
const answered = (response: object): Reply => ({ response, after: 0, onSent: noop })

/** Starts the server; closing the scope terminates every connection, then closes the server. */
const make = (options: JsonRpcServerOptions = {}): Effect.Effect<JsonRpcServerHandle, never, Scope.Scope> =>
  Effect.gen(function*() {
    // Delayed replies run in this set, on the live clock; closing the scope interrupts those still waiting.
    const run = yield* FiberSet.makeRuntime<never>().pipe(Effect.withClock(Clock.make()))
    const open = new Set<Connection>()
    const calls: Array<ExecutedCall> = []
    const counters = new Map<string, number>()
    const closes: Array<{ connection: number; code: number; reason: string }> = []
    let accepted = 0
    let pings = 0
    let nextSubscription = 0
    let silent = false
    let replyDelay = options.replyDelay ?? 0

    const canSend = (connection: Connection) =>
      !silent && !connection.stalled && connection.socket.readyState === connection.socket.OPEN

    const methods: Record<string, (connection: Connection, params: unknown) => MethodOutcome> = {
      echo: (_, params) => ({ result: params ?? null }),
      add: (_, params) =>
        Array.isArray(params) && params.length === 2 && params.every((n) => typeof n === "number")
          ? { result: (params[0] as number) + (params[1] as number) }
          : invalidParams,
      fail: (_, params) => ({ error: { code: -32000, message: "Server error", ...(params === undefined ? {} : { data: params }) } }),
      slow: (_, params) =>
        Array.isArray(params) && params.length === 1 && typeof params[0] === "number" && Number.isFinite(params[0]) && params[0] >= 0
          ? { result: params[0], after: params[0] }
          : invalidParams,
      count: (_, params) => {
        if (!Array.isArray(params) || params.length !== 1 || typeof params[0] !== "string") return invalidParams
        const value = (counters.get(params[0]) ?? 0) + 1
        counters.set(params[0], value)
        return { result: value }
      },
      eth_subscribe: (connection, params) => {
        if (!Array.isArray(params) || params[0] !== "ticks" || params.length > 2) return invalidParams
        const id = `0x${(++nextSubscription).toString(16)}`
        const subscription = { label: params[1], live: false }
        connection.subscriptions.set(id, subscription)
        // As geth does, notifications start once the id has been written, so none precedes the response.
        return { result: id, onSent: () => void (subscription.live = true) }
      },
      eth_unsubscribe: (connection, params) =>
        Array.isArray(params) && params.length === 1 && typeof params[0] === "string"
          ? { result: connection.subscriptions.delete(params[0]) }
          : invalidParams
    }

    const handleOne = (connection: Connection, message: unknown): Reply => {
      if (!isRecord(message)) return answered(failure(null, invalidRequest))
      const isNotification = !("id" in message)
      const { jsonrpc, method, params, id } = message
      if (
        jsonrpc !== "2.0" || typeof method !== "string" || (!isNotification && !isId(id)) ||
        ("params" in message && !Array.isArray(params) && !isRecord(params))
      ) {
        return answered(failure(isId(id) ? id : null, invalidRequest))
      }
      calls.push({ connection: connection.number, method, params, id: isNotification ? undefined : id as JsonRpcId })
      const outcome: MethodOutcome = Object.hasOwn(methods, method)
        ? methods[method]!(connection, params)
        : { error: { code: -32601, message: "Method not found" } }
      const onSent = "result" in outcome ? outcome.onSent ?? noop : noop
      if (isNotification) return { response: undefined, after: 0, onSent }
      return "error" in outcome
        ? answered(failure(id as JsonRpcId, outcome.error))
        : { response: success(id as JsonRpcId, outcome.result), after: outcome.after ?? 0, onSent }
    }

    const handleFrame = (connection: Connection, text: string): Reply => {
      let message: unknown
      try {
        message = JSON.parse(text)
      } catch {
        return answered(failure(null, { code: -32700, message: "Parse error" }))
      }
      if (!Array.isArray(message)) return handleOne(connection, message)
      if (message.length === 0) return answered(failure(null, invalidRequest))
      const replies = message.map((item) => handleOne(connection, item))
      const responses = replies.flatMap((reply) => (reply.response === undefined ? [] : [reply.response]))
      // The spec lets a batch's responses come in any order: reversed, so a client that assumes request order fails.
      return {
        response: responses.length === 0 ? undefined : responses.reverse(),
        after: Math.max(...replies.map((reply) => reply.after)),
        onSent: () => replies.forEach((reply) => reply.onSent())
      }
    }

    const send = (connection: Connection, reply: Reply, delay: number) => {
      const write = () => {
        if (reply.response === undefined) return reply.onSent()
        if (!canSend(connection)) return
        connection.socket.send(JSON.stringify(reply.response))
        reply.onSent()
      }
      if (delay <= 0 || reply.response === undefined) write()
      else run(Effect.interruptible(Effect.zipRight(Effect.sleep(delay), Effect.sync(write))))
    }

    const server = yield* Effect.acquireRelease(
      Effect.async<WebSocketServer>((resume) => {
        const server: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0, autoPong: false }, () =>
          resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          for (const client of server.clients) client.terminate()
          server.close(() => resume(Effect.void))
        })
    )
    server.on("connection", (socket) => {
      const connection: Connection = { number: ++accepted, socket, subscriptions: new Map(), stalled: false }
      open.add(connection)
      socket.on("error", noop)
      socket.on("ping", (data) => {
        pings++
        if (canSend(connection)) socket.pong(data)
      })
      socket.on("close", (code, reason) => {
        open.delete(connection) // its subscriptions end with it
        closes.push({ connection: connection.number, code, reason: reason.toString() })
      })
      socket.on("message", (data) => {
        const reply = handleFrame(connection, (data as Buffer).toString())
        send(connection, reply, Math.max(reply.after, replyDelay))
      })
    })

    const port = (server.address() as AddressInfo).port
    const subscriptions = () =>
      [...open].flatMap((connection) =>
        [...connection.subscriptions].map(([id, { label, live }]) => ({ connection: connection.number, id, label, live }))
      )
    return {
      url: `ws://127.0.0.1:${port}`,
      port,
      calls,
      executions: (method) => calls.filter((call) => call.method === method),
      counter: (key) => counters.get(key) ?? 0,
      subscriptions,
      subscriptionCount: () => subscriptions().length,
      connections: () => open.size,
      connectionsAccepted: () => accepted,
      closes,
      pings: () => pings,
      publish: (value) =>
        Effect.sync(() => {
          let sent = 0
          for (const connection of open) {
            if (!canSend(connection)) continue
            for (const [subscription, { live }] of connection.subscriptions) {
              if (!live) continue
              connection.socket.send(JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription, result: value } }))
              sent++
            }
          }
          return sent
        }),
      sendToAll: (text) =>
        Effect.sync(() => {
          for (const connection of open) if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(text)
        }),
      dropAll: Effect.sync(() => {
        for (const connection of open) connection.socket.terminate()
      }),
      closeAll: (code, reason) =>
        Effect.sync(() => {
          for (const connection of open) connection.socket.close(code, reason)
        }),
      setSilent: (value) => Effect.sync(() => void (silent = value)),
      stallOpenConnections: Effect.sync(() => {
        for (const connection of open) connection.stalled = true
      }),
      setReplyDelay: (millis) => Effect.sync(() => void (replyDelay = millis))
    } satisfies JsonRpcServerHandle
  })

/** A real JSON-RPC 2.0 server on 127.0.0.1, closed with the scope that started it. */
export const JsonRpcServer = { make }
