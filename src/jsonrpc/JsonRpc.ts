/**
 * The JSON-RPC 2.0 client: requests, notifications, batches and subscriptions on a live session, so a network blip
 * costs a reconnect, not the program. Requests run at most once; subscriptions continue across reconnects.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { durationOr } from "../core/duration.js"
import { type InvalidOption, InvalidUrl } from "../core/errors.js"
import type { WebSocketClient } from "../core/WebSocketClient.js"
import * as LiveSession from "../live/LiveSession.js"
import type { JsonRpcCallError, JsonRpcError } from "./errors.js"
import type { JsonRpcCall, JsonRpcParams } from "./messages.js"
import { jsonRpcProtocol } from "./protocol.js"

/** Options of the JSON-RPC client. Only `url` is required. Durations are on the Effect clock. */
export interface JsonRpcOptions {
  /** The server's `ws://` or `wss://` URL. */
  readonly url: string
  /** When to retry after a lost connection; `false`: never. Default: exponential from 1 s, jittered, capped at 30 s. */
  readonly reconnect?: Schedule.Schedule<unknown, unknown> | false
  /** Default bound of every call, waiting for a connection included. Default 30 seconds. */
  readonly requestTimeout?: Duration.DurationInput
  /** Bound on opening the socket. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput
  /**
   * The keep-alive that finds a dead link: with `method`, that call every `interval` (any answer, an error too,
   * proves the link alive); without, WebSocket pings (where the transport has them: not the WHATWG `WebSocket`).
   * No answer within `timeout` replaces the connection. `false`: off. Default on Node: WebSocket pings, 30 s / 10 s;
   * on the web entry: off.
   */
  readonly heartbeat?:
    | false
    | {
      readonly interval?: Duration.DurationInput
      readonly timeout?: Duration.DurationInput
      readonly method?: string
      readonly params?: JsonRpcParams
    }
  /** Handshake headers (where the transport can send them: not the WHATWG `WebSocket`). */
  readonly headers?: Readonly<Record<string, string>>
}

/** Per-call options. */
export interface JsonRpcCallOptions {
  /** Bounds the call from its start to its answer. Default: the client's `requestTimeout`. */
  readonly timeout?: Duration.DurationInput
}

/** A subscription in the Ethereum convention (`eth_subscribe` answering an id, `eth_unsubscribe` ending it). */
export interface JsonRpcSubscription {
  /** The subscribe method (`eth_subscribe`). */
  readonly method: string
  readonly params?: JsonRpcParams
  /** The method that ends the subscription, called with `[id]` when the Stream ends (`eth_unsubscribe`). */
  readonly unsubscribe: string
  /** Subscribe again on each new connection (default `true`); `false`: the Stream fails with `ConnectionLost` at a loss. */
  readonly resubscribe?: boolean
}

/** What the connection is doing: `connecting | connected | reconnecting | suspended | closed`. */
export type JsonRpcConnectionState = LiveSession.ConnectionState

/** The JSON-RPC 2.0 client service. */
export class JsonRpc extends Context.Tag("effect-ws-gateway/JsonRpc")<
  JsonRpc,
  {
    /**
     * Calls `method` and succeeds with the response's `result`; an error response is `JsonRpcError`. Sent at most
     * once: a call whose frame may have left when the connection was lost fails with `ConnectionLost`, never re-sent;
     * one not yet written waits for the next connection within its timeout.
     */
    readonly request: (method: string, params?: JsonRpcParams, options?: JsonRpcCallOptions) => Effect.Effect<unknown, JsonRpcCallError>
    /** Sends a notification (no id, no answer) at most once; succeeds once it is written. */
    readonly notify: (method: string, params?: JsonRpcParams) => Effect.Effect<void, JsonRpcCallError>
    /** Sends `calls` as one batch; succeeds with each call's `result` or `JsonRpcError`, in the order of `calls`. */
    readonly batch: (
      calls: ReadonlyArray<JsonRpcCall>,
      options?: JsonRpcCallOptions
    ) => Effect.Effect<ReadonlyArray<Either.Either<unknown, JsonRpcError>>, JsonRpcCallError>
    /**
     * A subscription as a Stream of each notification's `params.result`, whatever the notification's method.
     * Subscribed again exactly once after each reconnect (the Stream goes on); unsubscribed when the Stream ends.
     */
    readonly subscribe: (subscription: JsonRpcSubscription) => Stream.Stream<unknown, JsonRpcCallError>
    /** The connection state now. */
    readonly connectionState: Effect.Effect<JsonRpcConnectionState>
    /** The connection state, then every change of it. */
    readonly connectionStates: Stream.Stream<JsonRpcConnectionState>
    /** Closes the connection cleanly and stays offline until `resume`; calls meanwhile wait within their timeouts. */
    readonly suspend: Effect.Effect<void>
    /** Reconnects after `suspend`, subscribing again. */
    readonly resume: Effect.Effect<void>
  }
>() {}

/** Every way building the client can fail: the first connection must open. */
export type JsonRpcStartError = LiveSession.OpenError<JsonRpcError, never> | InvalidUrl | InvalidOption

/** The keep-alive a client gets when its options do not say (WebSocket pings on Node, none on the web). */
export type DefaultHeartbeat = { readonly interval: Duration.DurationInput; readonly timeout: Duration.DurationInput } | undefined

/** Builds the client: the first connection opens before this succeeds; later losses reconnect. */
export const make = (
  options: JsonRpcOptions,
  defaultHeartbeat?: DefaultHeartbeat
): Effect.Effect<JsonRpc["Type"], JsonRpcStartError, WebSocketClient | Scope.Scope> =>
  Effect.gen(function*() {
    if (typeof options?.url !== "string" || !/^wss?:\/\//i.test(options.url)) {
      return yield* new InvalidUrl({ reason: "the JSON-RPC url must be a ws:// or wss:// URL" })
    }
    const heartbeat = options.heartbeat === false ? undefined : options.heartbeat ?? defaultHeartbeat
    const method = heartbeat !== undefined && "method" in heartbeat ? heartbeat.method : undefined
    const interval = yield* durationOr("heartbeat.interval", heartbeat?.interval, Duration.seconds(30))
    const timeout = yield* durationOr("heartbeat.timeout", heartbeat?.timeout, Duration.seconds(10))
    const ping = method === undefined
      ? undefined
      : { method, ...("params" in heartbeat! && heartbeat.params !== undefined ? { params: heartbeat.params } : {}) }
    const live = yield* LiveSession.make(jsonRpcProtocol(ping), {
      url: options.url,
      ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
      ...(options.requestTimeout === undefined ? {} : { requestTimeout: options.requestTimeout }),
      ...(options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(heartbeat === undefined
        ? { keepAlive: false as const }
        : ping === undefined
        ? { keepAlive: false as const, heartbeat: { interval, timeout } }
        : { keepAlive: { interval, timeout } })
    })
    const call = (method: string, params: JsonRpcParams | undefined): JsonRpcCall =>
      params === undefined ? { method } : { method, params }
    return JsonRpc.of({
      request: (method, params, callOptions) => live.request(call(method, params), callOptions) as Effect.Effect<unknown, JsonRpcCallError>,
      notify: (method, params) => live.notify(call(method, params)),
      batch: (calls, callOptions) => live.batch(calls, callOptions),
      subscribe: (subscription) =>
        live.subscribe(
          {
            method: subscription?.method,
            ...(subscription?.params === undefined ? {} : { params: subscription.params }),
            unsubscribe: subscription?.unsubscribe
          },
          { resubscribe: subscription?.resubscribe !== false }
        ) as Stream.Stream<unknown, JsonRpcCallError>,
      connectionState: live.state,
      connectionStates: live.states,
      suspend: live.suspend,
      resume: live.resume
    })
  })

/** The client over the context's `WebSocketClient`. Building it opens the first connection. */
export const layer = (
  options: JsonRpcOptions,
  defaultHeartbeat?: DefaultHeartbeat
): Layer.Layer<JsonRpc, JsonRpcStartError, WebSocketClient> => Layer.scoped(JsonRpc, make(options, defaultHeartbeat))
