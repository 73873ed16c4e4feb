/**
 * A batch of connections opened with one wait and closed with one wait, instead of a fiber per connection:
 * `Effect.forEach(…, { concurrency: "unbounded" })` forks and later joins a fiber per element, which measured as
 * 27–34 µs per connection on its own (more than the rest of our connect), and a scope closes what it holds one
 * finalizer at a time.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import type { ConnectError, ConnectionRefused } from "../errors.js"
import type { ConnectionImpl } from "./connection.js"
import type { Deadlines } from "../Deadlines.js"
import type { ResolvedConnect } from "./settings.js"
import type { Signal } from "../Signal.js"

/** Calls `then` once every signal has completed (at once if all have). */
const whenAll = (signals: ReadonlyArray<Signal<boolean>>, then: () => void): void => {
  let remaining = signals.length
  if (remaining === 0) return then()
  for (const signal of signals) signal.onDone(() => --remaining === 0 && then())
}

/** Destroys the connections still connecting and starts closing the open ones (1000, bounded handshake). */
const abandonAll = (connections: ReadonlyArray<ConnectionImpl>): ReadonlyArray<Signal<boolean>> => {
  for (const connection of connections) connection.abandonConnect()
  return connections.map((connection) => connection.startShutdown(1000, ""))
}

/**
 * Closes every connection at once (1000; each handshake bounded by its `closeTimeout`) and waits for all of them:
 * a batch takes one close handshake, not the sum of them.
 */
const closeTogether = (connections: ReadonlyArray<ConnectionImpl>, deadlines: Deadlines): Effect.Effect<void> =>
  Effect.suspend(() =>
    deadlines.isRunning
      ? Effect.async<void>((resume) => whenAll(abandonAll(connections), () => resume(Effect.void)))
      // The client's timer has stopped (its scope closed): each close bounds its own handshake.
      : Effect.forEach(connections, (connection) => connection.shutdown(1000, ""), { concurrency: "unbounded", discard: true })
  )

/**
 * Waits once for every connection to open, each bounded by its own connect timeout. The first failure ends the
 * wait: the others are destroyed if still connecting or closed if open, and the failure is returned once every one
 * has ended. Interrupted, it does the same without waiting (the scope's finalizer waits for the closes).
 */
const awaitAllOpen = (
  connections: ReadonlyArray<ConnectionImpl>,
  settings: ReadonlyArray<ResolvedConnect>,
  deadlines: Deadlines
): Effect.Effect<void, ConnectError> => {
  if (!deadlines.isRunning) {
    // The client's timer has stopped (its scope closed): each connect bounds itself, and a failure still leaves
    // none of them open.
    return Effect.forEach(connections, (connection, i) => connection.awaitOpen(settings[i]!.connectTimeout), {
      concurrency: "unbounded",
      discard: true
    }).pipe(Effect.onError(() => closeTogether(connections, deadlines)))
  }
  return Effect.async<void, ConnectError>((resume) => {
    let remaining = connections.length
    let settled = false
    const fail = (exit: Exit.Exit<void, ConnectError>) => {
      settled = true
      whenAll(abandonAll(connections), () => resume(exit))
    }
    // A connection may have ended already (a transport that fails at once): its callback runs in this loop.
    for (let i = 0; i < connections.length && !settled; i++) {
      const connection = connections[i]!
      const after = settings[i]!.connectTimeout
      const key = Duration.isFinite(after) ? deadlines.addAfter(after, () => connection.connectTimedOut(after)) : undefined
      connection.opened.onDone(() => {
        if (key !== undefined) deadlines.remove(key)
        if (settled) return
        const opened = connection.opened.exit as Exit.Exit<void, ConnectError>
        if (Exit.isFailure(opened)) return fail(opened)
        if (--remaining > 0) return
        settled = true
        resume(Effect.void)
      })
    }
    return Effect.sync(() => {
      if (settled) return
      settled = true
      abandonAll(connections)
    })
  })
}

/**
 * Opens a connection for each of `settings` at once, in order, and waits once for all of them to open. One
 * finalizer in the scope closes them all together. If any fails to open (or the transport refuses to start one),
 * none is left open and the first failure is the error.
 */
export const openAll = (
  settings: ReadonlyArray<ResolvedConnect>,
  create: (settings: ResolvedConnect) => Either.Either<ConnectionImpl, ConnectionRefused>,
  deadlines: Deadlines
): Effect.Effect<ReadonlyArray<ConnectionImpl>, ConnectError, Scope.Scope> =>
  Effect.uninterruptible(Effect.flatMap(Effect.scope, (scope) => {
    const connections: Array<ConnectionImpl> = []
    for (const each of settings) {
      const created = create(each)
      if (Either.isLeft(created)) return Effect.zipRight(closeTogether(connections, deadlines), Effect.fail(created.left))
      connections.push(created.right)
    }
    return Effect.as(Scope.addFinalizer(scope, closeTogether(connections, deadlines)), connections)
  })).pipe(
    Effect.flatMap((connections) => Effect.as(awaitAllOpen(connections, settings, deadlines), connections)),
    Effect.tap((connections) => {
      const beating = connections.flatMap((connection, i) => {
        const heartbeat = settings[i]!.heartbeat
        return heartbeat === undefined ? [] : [connection.heartbeat(heartbeat.interval, heartbeat.timeout)]
      })
      return beating.length === 0 ? Effect.void : Effect.forEach(beating, Effect.forkScoped, { discard: true })
    })
  )
