/**
 * The fault-matrix harness: runs a case on the Node client with secrets in every request, records every log line,
 * span and printed error, and checks that nothing is left open afterwards.
 */
import { Cause, Effect, Exit, type Layer, Logger, LogLevel, type Scope, Tracer } from "effect"
import { type TransportUnavailable, WebSocketClient, WebSocketClientLive } from "../../src/index.js"

/** Secrets that must never be printed: a header value, a URL password, a token. */
export const SECRETS = { header: "Bearer hdr-5ecret-91x", password: "pw-5ecret-27q", token: "tok-5ecret-66z" } as const

/** A URL to `host:port` carrying the password secret, and headers carrying the others. */
export const secretUrl = (port: number, path = "/", scheme = "ws") =>
  `${scheme}://user:${SECRETS.password}@127.0.0.1:${port}${path}?access_token=${SECRETS.token}`
export const secretHeaders = { Authorization: SECRETS.header, "X-Token": SECRETS.token }

/** Everything the library printed, logged or traced during a file's cases. */
export const recorded: Array<string> = []

const tracer = Effect.map(Effect.tracer, (base) =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = base.span(name, parent, context, links, startTime, kind, options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        recorded.push(JSON.stringify({ name, attributes: [...span.attributes] }))
        end(endTime, exit)
      }
      return span
    },
    context: base.context
  }))

const logger = Logger.make(({ annotations, message }) => {
  recorded.push(JSON.stringify({ message, annotations: [...annotations] }))
})

/** Records how an effect ended, the way an application would print it. */
export const remember = <A, E>(exit: Exit.Exit<A, E>): Exit.Exit<A, E> => {
  if (Exit.isFailure(exit)) {
    const error = Cause.squash(exit.cause)
    recorded.push(Cause.pretty(exit.cause), String(error), JSON.stringify(error))
  }
  return exit
}

const resourceCounts = () => {
  const counts = new Map<string, number>()
  for (const resource of process.getActiveResourcesInfo()) counts.set(resource, (counts.get(resource) ?? 0) + 1)
  return counts
}

const excess = (baseline: Map<string, number>) =>
  [...resourceCounts()].filter(([kind, n]) => n > (baseline.get(kind) ?? 0)).map(([kind, n]) => `${kind}×${n}`)

const realTick = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))

/**
 * Runs one case (in its own scope, so what it opened is closed before the stats are read) on a fresh Node client with tracing and logging captured; afterwards the client reports no active
 * connection and the process holds no socket or timer beyond what it held before (checked with
 * `process.getActiveResourcesInfo()`, allowing the event loop a bounded time to finish closing sockets).
 */
export const faultCase = <A, E>(
  body: Effect.Effect<A, E, WebSocketClient | Scope.Scope>,
  client: Layer.Layer<WebSocketClient, TransportUnavailable> = WebSocketClientLive
) =>
  Effect.gen(function*() {
    const baseline = resourceCounts()
    const trace = yield* tracer
    const result = yield* Effect.gen(function*() {
      const exit = remember(yield* Effect.exit(Effect.scoped(body)))
      const stats = yield* (yield* WebSocketClient).getStats
      recorded.push(JSON.stringify(stats))
      return { exit, stats }
    }).pipe(
      Effect.scoped,
      Effect.provide(client),
      Effect.withTracer(trace),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
    let left = excess(baseline)
    for (let i = 0; i < 500 && left.length > 0; i++) {
      yield* realTick
      left = excess(baseline)
    }
    return { ...result, leftOpen: left }
  })
