/**
 * The `WebSocketClient` service: scoped connections, typed errors, no inbound message lost, every bound on the
 * Effect clock.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type { Connection } from "./Connection.js"
import {
  type CloseError,
  type ConnectError,
  ConnectionRefused,
  InvalidMessage,
  InvalidOption,
  type ReceiveError,
  type RequestError,
  type SendError,
  Timeout
} from "./errors.js"
import { compileHostPolicy, type HostGuard, type HostPolicy } from "./HostPolicy.js"
import { ConnectionImpl, written } from "./internal/connection.js"
import { empty } from "./internal/InboundBuffer.js"
import { Deadlines } from "./Deadlines.js"
import { exchange } from "./internal/exchange.js"
import { openAll } from "./internal/openAll.js"
import { builtInTracer, traced } from "./tracing.js"
import { type ResolvedConnect, resolveConnectOptions, withOptionalTimeout } from "./internal/settings.js"
import { decodeDuration, durationOr } from "./duration.js"
import { validateClose } from "./internal/validate.js"
import { encodeMessage, type InboundMessage, type OutboundMessage } from "./message.js"
import type { CloseOptions, ConnectOptions, ReceiveOptions, RequestOptions, SendOptions } from "./options.js"
import { redactUrlInput } from "./url.js"
import { StatsRecorder, type WebSocketStats } from "./Stats.js"
import { WebSocketTransport } from "./Transport.js"

const DEFAULT_REQUEST_TIMEOUT = Duration.seconds(30)

/** The WebSocket client. Each service instance keeps its own connections and stats. */
export class WebSocketClient extends Context.Tag("effect-ws-gateway/WebSocketClient")<
  WebSocketClient,
  {
    /** Opens a connection that is closed (1000, bounded close handshake, then terminate) when the scope closes. */
    readonly connect: (options: ConnectOptions) => Effect.Effect<Connection, ConnectError, Scope.Scope>
    /**
     * Opens a connection for each of `options` at once and waits once for all of them: the connections in the same
     * order, or, if any fails to open, the first failure with none of them left open. The scope closes them all
     * together (one close handshake in all, not one after another).
     */
    readonly connectAll: (
      options: ReadonlyArray<ConnectOptions>
    ) => Effect.Effect<ReadonlyArray<Connection>, ConnectError, Scope.Scope>
    /** Sends text, bytes, or a plain object/array as JSON; completes once the socket has taken the data. */
    readonly send: (
      connection: Connection,
      message: OutboundMessage,
      options?: SendOptions
    ) => Effect.Effect<void, SendError>
    /** The next inbound message in arrival order; after the last one, the reason the connection ended. */
    readonly receive: (connection: Connection, options?: ReceiveOptions) => Effect.Effect<InboundMessage, ReceiveError>
    /** Closes with a wire-valid code and reason and waits for the close handshake. Idempotent. */
    readonly close: (connection: Connection, options?: CloseOptions) => Effect.Effect<void, CloseError>
    /** Connects, sends one message, returns the first reply and always closes; `timeout` bounds it all. */
    readonly request: (options: RequestOptions) => Effect.Effect<InboundMessage, RequestError>
    /** Counters of this instance since it was created or last reset. */
    readonly getStats: Effect.Effect<WebSocketStats>
    /** Closes every connection of this instance with 1001 "going away" and zeroes the stats. */
    readonly reset: Effect.Effect<void>
  }
>() {}

const notAConnection = () =>
  new InvalidOption({ option: "connection", reason: "not a connection opened by a WebSocketClient" })

const asImpl = (connection: Connection): Either.Either<ConnectionImpl, InvalidOption> =>
  connection instanceof ConnectionImpl ? Either.right(connection) : Either.left(notAConnection())

// No timeout asked for: one shared value rather than an allocation per message.
const NO_TIMEOUT: Either.Either<undefined, never> = Either.right(undefined)

const GOING_AWAY = { code: 1001, reason: "going away" } as const

const noop = () => {}

/** An operation inside a span, for when a tracer other than the built-in one is installed. */
const spanned = <A, E>(
  name: string,
  attributes: Record<string, unknown>,
  body: () => Effect.Effect<A, E>
): Effect.Effect<A, E> => Effect.withSpan(Effect.suspend(body), name, { attributes, captureStackTrace: false })

// Built outside the connect closures, so the finalizer an open connection keeps retains only the connection
// (a closure made inside them would keep their whole scope chain: options, settings, the request's URL).
const closeOnRelease = (connection: ConnectionImpl) => () => connection.shutdown(1000, "")

/** Options of a client instance. */
export interface WebSocketClientOptions {
  /** Where this client may connect; every `connect` and `request` is checked. Default: anywhere. */
  readonly hostPolicy?: HostPolicy
}

/** Builds a client on the provided transport; closing the layer's scope closes every connection it opened. */
export const makeWith = (
  options: WebSocketClientOptions
): Effect.Effect<WebSocketClient["Type"], InvalidOption, WebSocketTransport | Scope.Scope> =>
  Effect.flatMap(WebSocketTransport, (transport) =>
    options.hostPolicy === undefined
      ? makeOn(transport, undefined)
      : Effect.flatMap(compileHostPolicy(options.hostPolicy), (guard) => makeOn(transport, guard)))

/** A client on `transport`, checking every address with `guard` when there is one. */
const makeOn = (
  transport: WebSocketTransport["Type"],
  guard: HostGuard | undefined
): Effect.Effect<WebSocketClient["Type"], never, Scope.Scope> =>
  // Plain flatMaps, not a generator: building the client is on every cold start's path.
  Effect.flatMap(Effect.scope, (scope) =>
  Effect.flatMap(Deadlines.make(scope), (deadlines) => {
    const stats = new StatsRecorder(transport.textByteLength)
    const live = new Set<ConnectionImpl>()
    const counted = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.tapError(effect, () => Effect.sync(() => stats.failed()))

    // Nothing open (a short-lived client's usual end): no concurrent fan-out to run.
    const closeAll = (code: number, reason: string) =>
      Effect.suspend(() =>
        live.size === 0 ? Effect.void : Effect.forEach([...live], (connection) => connection.shutdown(code, reason), {
          concurrency: "unbounded",
          discard: true
        })
      )

    /** Opens a socket for validated settings; a transport that throws is a `ConnectionRefused`. */
    const newConnection = (settings: ResolvedConnect): Either.Either<ConnectionImpl, ConnectionRefused> => {
      let connection: ConnectionImpl
      try {
        connection = new ConnectionImpl(transport, settings, stats, deadlines, live)
      } catch (error) {
        // The thrown error's text may quote the request, so only its kind is reported.
        return Either.left(
          new ConnectionRefused({
            url: settings.request.redactedUrl,
            detail: `the transport could not open a socket (${error instanceof Error ? error.name : "error"})`
          })
        )
      }
      if (connection.state !== "closed") live.add(connection)
      return Either.right(connection)
    }

    const openConnection = (options: ConnectOptions) =>
      Effect.suspend(() => {
        const resolved = resolveConnectOptions(options, guard, transport)
        if (Either.isLeft(resolved)) return Effect.fail(resolved.left)
        const settings = resolved.right
        // Acquire and register the close in one uninterruptible step. The finalizer is added to the scope directly:
        // `acquireRelease` would also capture and later diff and restore every fiber ref, which the close (pure
        // socket work on the client's own clock) does not need and which measured as a tenth of a request cycle.
        return Effect.uninterruptible(Effect.flatMap(Effect.scope, (scope) => {
          const created = newConnection(settings)
          if (Either.isLeft(created)) return Effect.fail(created.left)
          const connection = created.right
          return Effect.as(Scope.addFinalizerExit(scope, closeOnRelease(connection)), connection)
        })).pipe(Effect.flatMap((connection) => {
          const opened = Effect.as(connection.awaitOpen(settings.connectTimeout), connection)
          const heartbeat = settings.heartbeat
          return heartbeat === undefined
            ? opened
            : Effect.tap(opened, () => Effect.forkScoped(connection.heartbeat(heartbeat.interval, heartbeat.timeout)))
        }))
      }).pipe(traced("WebSocketClient.connect", () => ({ "url.full": redactUrlInput(options?.url) })))

    const openMany = (options: ReadonlyArray<ConnectOptions>) =>
      Effect.suspend(() => {
        if (!Array.isArray(options)) {
          return Effect.fail(new InvalidOption({ option: "options", reason: "expected an array of connect options" }))
        }
        // Every option is checked before any socket is opened.
        const settings: Array<ResolvedConnect> = []
        for (const each of options as ReadonlyArray<ConnectOptions>) {
          const resolved = resolveConnectOptions(each, guard, transport)
          if (Either.isLeft(resolved)) return Effect.fail(resolved.left)
          settings.push(resolved.right)
        }
        return settings.length === 0 ? Effect.succeed([]) : openAll(settings, newConnection, deadlines)
      }).pipe(traced("WebSocketClient.connectAll", () => ({ "ws.connections": options?.length })))

    // The per-message paths avoid generators: they run once per message.

    const optionalTimeout = (options: { readonly timeout?: unknown } | undefined) =>
      options?.timeout === undefined ? NO_TIMEOUT : decodeDuration("timeout", options.timeout)

    // The per-message paths are one effect step when nothing has to wait: the checks, the write or the take of a
    // buffered message happen in a single synchronous body, failures found there are counted on the spot, and only
    // an operation that has to wait gets the failure counter and timeout wrapped around it.
    const failed = <E>(error: E): Effect.Effect<never, E> => {
      stats.failed()
      return Effect.fail(error)
    }
    const countFailure = () => stats.failed()

    const sendNow = (connection: Connection, message: OutboundMessage, options?: SendOptions): Effect.Effect<void, SendError> => {
      if (!(connection instanceof ConnectionImpl)) return failed(notAConnection())
      const timeout = optionalTimeout(options)
      if (Either.isLeft(timeout)) return failed(timeout.left)
      const frame = encodeMessage(message)
      if (frame instanceof InvalidMessage) return failed(frame)
      const write = connection.startWrite(frame)
      if (write === written) return write
      return counted(withOptionalTimeout(write, timeout.right, (after) => new Timeout({ operation: "send", after })))
    }

    const receiveNow = (connection: Connection, options?: ReceiveOptions): Effect.Effect<InboundMessage, ReceiveError> => {
      if (!(connection instanceof ConnectionImpl)) return failed(notAConnection())
      const timeout = optionalTimeout(options)
      if (Either.isLeft(timeout)) return failed(timeout.left)
      const buffer = connection.buffer
      const next = buffer.poll()
      if (next !== empty) return Effect.succeed(next)
      return counted(withOptionalTimeout(buffer.take, timeout.right, (after) => new Timeout({ operation: "receive", after })))
    }

    const send = (connection: Connection, message: OutboundMessage, options?: SendOptions) =>
      Effect.withFiberRuntime<void, SendError>((fiber) =>
        fiber.currentTracer === builtInTracer
          ? sendNow(connection, message, options)
          : spanned("WebSocketClient.send", { "ws.connection": connection?.id }, () => sendNow(connection, message, options))
      )

    const receive = (connection: Connection, options?: ReceiveOptions) =>
      Effect.withFiberRuntime<InboundMessage, ReceiveError>((fiber) =>
        fiber.currentTracer === builtInTracer
          ? receiveNow(connection, options)
          : spanned("WebSocketClient.receive", { "ws.connection": connection?.id }, () => receiveNow(connection, options))
      )

    const close = (connection: Connection, options?: CloseOptions) =>
      Effect.gen(function*() {
        const impl = yield* asImpl(connection)
        const { code, reason } = yield* validateClose(options?.code ?? 1000, options?.reason ?? "")
        const clean = yield* impl.shutdown(code, reason)
        if (!clean) {
          return yield* new Timeout({ operation: "close", after: impl.closeTimeout })
        }
      }).pipe(counted)

    // The validated settings of the last request made with a URL string and no headers, reused while the URL stays
    // the same: a client polling one endpoint validates it once (validation depends only on the URL and this
    // client's host policy; each address is still checked when the socket resolves it). In paired A/B rounds on a
    // real socket it took 2–4% off a request cycle's CPU and wall time.
    let lastBare: { readonly url: string; readonly settings: ResolvedConnect } | undefined
    const requestSettings = (options: RequestOptions) => {
      if (options.headers !== undefined || typeof options.url !== "string") {
        return resolveConnectOptions(
          { url: options.url, ...(options.headers === undefined ? {} : { headers: options.headers }) },
          guard,
          transport
        )
      }
      if (lastBare?.url === options.url) return Either.right(lastBare.settings)
      const resolved = resolveConnectOptions({ url: options.url }, guard, transport)
      if (Either.isRight(resolved)) lastBare = { url: options.url, settings: resolved.right }
      return resolved
    }

    /**
     * Validates everything before a socket is opened, then runs the whole cycle as one wait (see `exchange`): one
     * deadline entry bounds it, and the connection is closed before the reply or the failure is returned. Like
     * `send` and `receive`, one effect step before the wait: failures are counted where they are found (each effect
     * step runs after a network wake-up with cold caches, where it measured several µs).
     */
    const requestNow = (options: RequestOptions): Effect.Effect<InboundMessage, RequestError> => {
      const timeout = durationOr("timeout", options?.timeout, DEFAULT_REQUEST_TIMEOUT)
      if (Either.isLeft(timeout)) return failed(timeout.left)
      const frame = encodeMessage(options?.message)
      if (frame instanceof InvalidMessage) return failed(frame)
      const resolved = requestSettings(options)
      if (Either.isLeft(resolved)) return failed(resolved.left)
      const created = newConnection(resolved.right)
      if (Either.isLeft(created)) return failed(created.left)
      const after = timeout.right
      const onTimeout = () => new Timeout({ operation: "request", after })
      if (deadlines.isRunning) return exchange(created.right, frame, deadlines, after, onTimeout, countFailure)
      // Without the client's timer (its scope has closed), an ordinary timeout interrupts the cycle.
      return counted(withOptionalTimeout(exchange(created.right, frame, deadlines, after, onTimeout, noop), after, onTimeout))
    }

    const request = (options: RequestOptions) =>
      Effect.withFiberRuntime<InboundMessage, RequestError>((fiber) =>
        fiber.currentTracer === builtInTracer
          ? requestNow(options)
          : spanned("WebSocketClient.request", { "url.full": redactUrlInput(options?.url) }, () => requestNow(options))
      )

    // Closing the client's scope closes every connection it opened (before its deadlines stop: finalizers run last first).
    return Effect.as(Scope.addFinalizer(scope, closeAll(GOING_AWAY.code, GOING_AWAY.reason)), WebSocketClient.of({
      connect: (options) => counted(openConnection(options)),
      connectAll: (options) => counted(openMany(options)),
      send,
      receive,
      close,
      request,
      getStats: Effect.sync(() => stats.snapshot()),
      reset: closeAll(GOING_AWAY.code, GOING_AWAY.reason).pipe(Effect.zipRight(Effect.sync(() => stats.reset())))
    }))
  }))

/** A client with no host policy. */
export const make: Effect.Effect<WebSocketClient["Type"], never, WebSocketTransport | Scope.Scope> = Effect.flatMap(
  WebSocketTransport,
  (transport) => makeOn(transport, undefined)
)

/** The client on any transport the context provides. */
export const layer: Layer.Layer<WebSocketClient, never, WebSocketTransport> = Layer.scoped(WebSocketClient, make)

/**
 * The client, with no host policy, on the transport `transport` makes: one layer, where `Layer.provide(layer, …)` of
 * a transport layer is two and a provide between them (the default clients are built this way: building them is on
 * every cold start's path).
 */
export const layerOn = <E>(
  transport: Effect.Effect<WebSocketTransport["Type"], E>
): Layer.Layer<WebSocketClient, E> =>
  Layer.scoped(WebSocketClient, Effect.flatMap(transport, (made) => makeOn(made, undefined)))

/** A client with options (a host policy) on any transport the context provides; a malformed policy fails it. */
export const layerWith = (
  options: WebSocketClientOptions
): Layer.Layer<WebSocketClient, InvalidOption, WebSocketTransport> => Layer.scoped(WebSocketClient, makeWith(options))
