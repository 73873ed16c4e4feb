/**
 * One connection of a live session: id allocation and writes as one synchronous step, answers routed to their
 * requests, events to their subscriptions, through the protocol's pure functions. A session never outlives its
 * connection and is never reused.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { Connection } from "../../core/Connection.js"
import type { Deadlines } from "../../core/Deadlines.js"
import { type DirectConnection, directConnection } from "../../core/DirectConnection.js"
import { ConnectionClosed, InvalidMessage } from "../../core/errors.js"
import type { Frame, InboundMessage } from "../../core/message.js"
import { Signal } from "../../core/Signal.js"
import type { WebSocketClient } from "../../core/WebSocketClient.js"
import { CommandTimeout, ConnectionLost } from "../errors.js"
import type { Inbound, Numbered, Protocol, SubscriptionKey } from "../Protocol.js"

/** Internal: the session ended before the request was written, so it may safely go to the next session. */
export class SessionEnded extends Data.TaggedError("SessionEnded") {}

/** How a written request can fail (`InvalidMessage`: its answer was refused, as a subscribe answer without a key). */
export type ResultError<E> = E | ConnectionLost | CommandTimeout | InvalidMessage

/** The protocol as a session sees it: its other type parameters do not matter here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProtocol<Request, E> = Protocol<Request, any, E, any, any>

/** What the socket did with a frame: left at once (`undefined`), or the wait for a write it has yet to report. */
type Write = Effect.Effect<void, ConnectionClosed> | undefined

/** A written request waiting for its answer: the answer signal itself, with what its deadline needs. */
class Pending<E> extends Signal<unknown, ResultError<E>> {
  /** When it times out (Effect-clock ms), and its bound; `Infinity` for none. */
  at = Infinity
  timeout: Duration.Duration = Duration.infinity
  /** The write, when the socket has yet to confirm it. */
  write: Write = undefined
  /** Runs on the answer, before the waiter wakes: may refuse it (a subscribe answer without a key). */
  onAnswer: ((value: unknown) => InvalidMessage | undefined) | undefined = undefined
  /** Runs on an answer that arrives after the request stopped waiting (its timeout passed). */
  onLateAnswer: ((value: unknown) => void) | undefined = undefined

  constructor(readonly id: number, readonly command: string) {
    super()
  }
}

/** What `tryRequest` returns when the caller's `resume` now waits for the answer. */
export const registered: unique symbol = Symbol("registered")

/** A request on the wire: its id and the awaitable answer. */
export interface Sent<E> {
  readonly id: number
  readonly result: Effect.Effect<unknown, ResultError<E>>
}

/**
 * Options of a request sent with `send`: `beforeWrite` runs with the id before the frame leaves; `onAnswer` on the
 * answer, before its waiter wakes; `timeout` bounds the answer with the session's deadline entry.
 */
export interface SendHooks {
  readonly beforeWrite?: (id: number) => void
  readonly timeout?: Duration.Duration
  readonly onAnswer?: (value: unknown) => InvalidMessage | undefined
  /** Runs on an answer that arrives after the request stopped waiting: a subscribe that must be undone. */
  readonly onLateAnswer?: (value: unknown) => void
}

/** A user's protocol that threw while framing a request: bad input, typed, and nothing is sent. */
const cannotFrame = (protocol: string, error: unknown): InvalidMessage =>
  new InvalidMessage({ reason: `${protocol} could not frame the request (${error instanceof Error ? error.name : "a non-error"})` })

/** Dropped messages waiting to be logged at most: past it they are counted, not queued. */
const NOISE_BOUND = 64

export class Session<Request, Info, E> implements Inbound<E> {
  private nextId = 0
  private alive = true
  private readonly pending = new Map<number, Pending<E>>()
  private readonly routes = new Map<SubscriptionKey, (event: unknown) => void>()
  private readonly late = new Map<number, (value: unknown) => void>()
  private readonly direct: DirectConnection | undefined
  private armedAt: number | undefined = undefined
  private armedKey: number | undefined = undefined
  private lastTimeout: Duration.Duration | undefined = undefined
  private lastMillis = Infinity
  private noiseLog: Array<string> = []
  private noiseWake = new Signal<void>()
  /** Messages dropped since the session began (malformed, unknown id, unknown subscription). */
  dropped = 0
  // Only for a connection of another WebSocketClient implementation, whose writes may not start synchronously.
  private readonly writeLock = Effect.unsafeMakeSemaphore(1)
  /** Completes once the session has ended, whatever ended it. */
  readonly ended = new Signal<void>()
  // A protocol's decode must not throw; if a user's does, the message is dropped as noise, never a crash of the socket.
  private readonly decodeMessage = (message: InboundMessage) => {
    try {
      this.protocol.decode(message, this)
    } catch (error) {
      this.noise(`${this.protocol.name}'s decode threw (${error instanceof Error ? error.name : "a non-error"})`)
    }
  }

  constructor(
    private readonly protocol: AnyProtocol<Request, E>,
    private readonly client: WebSocketClient["Type"],
    readonly connection: Connection,
    readonly info: Info,
    private readonly deadlines: Deadlines
  ) {
    this.direct = directConnection(connection)
  }

  get isAlive(): boolean {
    return this.alive
  }

  /**
   * Writes a request and returns the wait for its answer (`CommandTimeout` after `timeout`), or `undefined` if the
   * session can no longer send (nothing was sent: the request may go to the next session, which `onEnded` does when
   * that is only found out later). Given `resume` (the caller is an `Effect.async`), a request written at once under
   * a deadline registers `resume` as the answer's waiter and returns `registered`. Id allocation and the write
   * happen in one synchronous step, so ids reach the wire strictly increasing without a lock.
   */
  tryRequest<E2>(
    request: Request,
    timeout: Duration.Duration,
    onEnded: () => Effect.Effect<unknown, E2>
  ): Effect.Effect<unknown, ResultError<E> | E2> | undefined
  tryRequest<E2>(
    request: Request,
    timeout: Duration.Duration,
    onEnded: () => Effect.Effect<unknown, E2>,
    resume: (result: Effect.Effect<unknown, ResultError<E>>) => void
  ): Effect.Effect<unknown, ResultError<E> | E2> | typeof registered | undefined
  tryRequest<E2>(
    request: Request,
    timeout: Duration.Duration,
    onEnded: () => Effect.Effect<unknown, E2>,
    resume?: (result: Effect.Effect<unknown, ResultError<E>>) => void
  ): Effect.Effect<unknown, ResultError<E> | E2> | typeof registered | undefined {
    if (!this.alive) return undefined
    if (this.direct === undefined || !this.deadlines.isRunning) {
      // Another client's connection: its send may find the session ended only once it runs.
      return Effect.flatMap(this.send(request), (sent) =>
        Effect.timeoutFail(sent.result, {
          duration: timeout,
          onTimeout: () => {
            const name = this.framed(() => this.protocol.nameOf(request))
            return new CommandTimeout({ command: typeof name === "string" ? name : "request", after: timeout })
          }
        }))
        .pipe(Effect.catchTag("SessionEnded", onEnded))
    }
    const pending = this.start(request, undefined)
    if (!(pending instanceof Pending)) return pending._tag === "SessionEnded" ? undefined : Effect.fail(pending)
    this.setDeadline(pending, timeout)
    const { id, write } = pending
    if (write !== undefined) return Effect.zipRight(this.afterWrite([pending], write), this.awaitResult(id, pending))
    if (resume === undefined || pending.at === Infinity) return this.awaitResult(id, pending)
    // The caller's own wake-up waits for the answer: no Effect is made for the wait at all.
    pending.wake(resume)
    return registered
  }

  private setDeadline(pending: Pending<E>, timeout: Duration.Duration): void {
    const millis = this.millisOf(timeout)
    if (millis === Infinity) return
    pending.at = this.deadlines.now() + millis
    pending.timeout = timeout
    if (this.armedAt === undefined || pending.at < this.armedAt) this.arm(pending.at)
  }

  /** `timeout` in milliseconds, kept for the next request: nearly every request has the session's default. */
  private millisOf(timeout: Duration.Duration): number {
    if (timeout !== this.lastTimeout) {
      this.lastTimeout = timeout
      this.lastMillis = Duration.toMillis(timeout)
    }
    return this.lastMillis
  }

  /**
   * Writes a request. Succeeds once the frame is written, with the id and the awaitable answer. `SessionEnded`
   * means nothing was sent (the next session may take the request); `ConnectionLost` that it may have been.
   */
  send(request: Request, hooks?: SendHooks): Effect.Effect<Sent<E>, SessionEnded | ConnectionLost | InvalidMessage> {
    const write = Effect.suspend((): Effect.Effect<Sent<E>, SessionEnded | ConnectionLost | InvalidMessage> => {
      const pending = this.start(request, hooks)
      if (!(pending instanceof Pending)) return Effect.fail(pending)
      const sent: Sent<E> = { id: pending.id, result: this.awaitResult(pending.id, pending) }
      return pending.write === undefined ? Effect.succeed(sent) : Effect.as(this.afterWrite([pending], pending.write), sent)
    })
    return this.direct === undefined ? this.writeLock.withPermits(1)(write) : write
  }

  /**
   * Writes several requests in one frame (the protocol's batch), each with its own id and deadline; succeeds with
   * their answers' waits, in order, once the frame is written.
   */
  sendBatch(
    requests: ReadonlyArray<Request>,
    timeout: Duration.Duration
  ): Effect.Effect<ReadonlyArray<Effect.Effect<unknown, ResultError<E>>>, SessionEnded | ConnectionLost | InvalidMessage> {
    const write = Effect.suspend((): Effect.Effect<
      ReadonlyArray<Effect.Effect<unknown, ResultError<E>>>,
      SessionEnded | ConnectionLost | InvalidMessage
    > => {
      const encodeBatch = this.protocol.encodeBatch
      if (encodeBatch === undefined) {
        return Effect.fail(new InvalidMessage({ reason: `${this.protocol.name} has no batches` }))
      }
      if (!this.alive || this.connection.state !== "open") return Effect.fail(new SessionEnded())
      const numbered: Array<Numbered<Request>> = requests.map((request, index) => ({ id: this.nextId + 1 + index, request }))
      const framed = this.framed(() => ({ frame: encodeBatch(numbered), names: requests.map((request) => this.protocol.nameOf(request)) }))
      if (framed instanceof InvalidMessage) return Effect.fail(framed)
      const { frame, names } = framed
      if (frame instanceof InvalidMessage) return Effect.fail(frame)
      const batch = numbered.map(({ id }, index) => {
        const pending = new Pending<E>(id, names[index]!)
        this.pending.set(id, pending)
        this.setDeadline(pending, timeout)
        return pending
      })
      this.nextId += numbered.length
      const write = this.writeFrame(frame, batch)
      if (write instanceof SessionEnded) return Effect.fail(write)
      const results = batch.map((pending) => this.awaitResult(pending.id, pending))
      return write === undefined ? Effect.succeed(results) : Effect.as(this.afterWrite(batch, write), results)
    })
    return this.direct === undefined ? this.writeLock.withPermits(1)(write) : write
  }

  /**
   * Writes a frame that gets no answer (a notification), at most once: `SessionEnded` when nothing was sent,
   * `ConnectionLost` when it may have been.
   */
  sendFrame(frame: Frame, name: string): Effect.Effect<void, SessionEnded | ConnectionLost> {
    const write = Effect.suspend((): Effect.Effect<void, SessionEnded | ConnectionLost> => {
      if (!this.alive || this.connection.state !== "open") return Effect.fail(new SessionEnded())
      const outcome = this.writeFrame(frame, [])
      if (outcome instanceof SessionEnded) return Effect.fail(outcome)
      return outcome === undefined
        ? Effect.void
        : Effect.mapError(outcome, () => new ConnectionLost({ command: name }))
    })
    return this.direct === undefined ? this.writeLock.withPermits(1)(write) : write
  }

  /** Allocates the id, registers the request and starts its write, all synchronously. */
  private start(request: Request, hooks: SendHooks | undefined): Pending<E> | SessionEnded | InvalidMessage {
    // Nothing has been handed to the socket yet: the request can safely wait for the next session.
    if (!this.alive || this.connection.state !== "open") return new SessionEnded()
    // Inline rather than through `framed`: this is every request's path, and a closure here is an allocation per call.
    let frame: Frame | InvalidMessage
    let name: string
    try {
      frame = this.protocol.encode(request, this.nextId + 1)
      name = this.protocol.nameOf(request)
    } catch (error) {
      return cannotFrame(this.protocol.name, error)
    }
    if (frame instanceof InvalidMessage) return frame
    const id = ++this.nextId
    const pending = new Pending<E>(id, name)
    if (hooks?.onAnswer !== undefined) pending.onAnswer = hooks.onAnswer
    if (hooks?.onLateAnswer !== undefined) pending.onLateAnswer = hooks.onLateAnswer
    if (hooks?.timeout !== undefined && this.deadlines.isRunning) this.setDeadline(pending, hooks.timeout)
    this.pending.set(id, pending)
    hooks?.beforeWrite?.(id)
    const write = this.writeFrame(frame, [pending])
    if (write instanceof SessionEnded) return write
    pending.write = write
    return pending
  }

  /** Runs the protocol's framing; a user's protocol that throws on a request is bad input: typed, nothing sent. */
  private framed<A>(frame: () => A): A | InvalidMessage {
    try {
      return frame()
    } catch (error) {
      return cannotFrame(this.protocol.name, error)
    }
  }

  /**
   * Hands `frame` to the socket. If the socket refused it (it is closing, its close not yet reported), nothing left
   * this process: `pending` go back to waiting for the next session, and this session ends now (otherwise every
   * request until the close is reported would be refused in turn).
   */
  private writeFrame(frame: Frame, pending: ReadonlyArray<Pending<E>>): Write | SessionEnded {
    if (this.direct === undefined) {
      return Effect.mapError(this.client.send(this.connection, frame), (): ConnectionClosed =>
        new ConnectionClosed({ code: 1006, reason: "write failed" }))
    }
    const begun = this.direct.beginWrite(frame)
    if (begun instanceof ConnectionClosed) {
      for (const each of pending) this.pending.delete(each.id)
      this.end()
      return new SessionEnded()
    }
    return begun === undefined ? undefined : begun.await
  }

  /**
   * Waits for a write that the socket did not take at once. If it fails, the frame had already been handed to the
   * socket and may have reached the peer, so its requests fail with `ConnectionLost` and are never re-sent.
   */
  private afterWrite(
    pending: ReadonlyArray<Pending<E>>,
    write: Effect.Effect<void, ConnectionClosed>
  ): Effect.Effect<void, ConnectionLost> {
    return Effect.catchAll(write, () => {
      for (const each of pending) this.pending.delete(each.id)
      return Effect.fail(new ConnectionLost({ command: pending[0]?.command ?? "request" }))
    })
  }

  /** The request's answer; a caller that stops waiting leaves its entry to its deadline, or takes it along. */
  private awaitResult(id: number, pending: Pending<E>): Effect.Effect<unknown, ResultError<E>> {
    // With a deadline the entry goes by itself soon enough (answer, timeout or session end): no interruption
    // finalizer, which measured as a tenth of a call_service round trip.
    if (pending.at !== Infinity) return pending.awaitUncancellable
    return pending.awaitOr(() => {
      if (this.pending.get(id) === pending) this.forget(id, pending)
    })
  }

  /**
   * Request deadlines cost no timer entry each: the session keeps one entry, at the earliest deadline of its
   * pending requests. When it fires, every request past its deadline fails with `CommandTimeout` and the entry is
   * set again for the next one. (Requests that complete leave it armed; it then finds nothing and re-arms.)
   */
  private arm(at: number): void {
    if (this.armedKey !== undefined) this.deadlines.remove(this.armedKey)
    this.armedAt = at
    this.armedKey = this.deadlines.add(at, () => this.sweep())
  }

  private sweep(): void {
    this.armedAt = undefined
    this.armedKey = undefined
    const now = this.deadlines.now()
    let next: number | undefined
    for (const [id, pending] of this.pending) {
      if (pending.at <= now) {
        this.forget(id, pending)
        pending.done(Exit.fail(new CommandTimeout({ command: pending.command, after: pending.timeout })))
      } else if (pending.at !== Infinity && (next === undefined || pending.at < next)) next = pending.at
    }
    if (next !== undefined && this.alive) this.arm(next)
  }

  /** Routes the events of subscription `key` to `sink` until `unroute`. */
  route(key: SubscriptionKey, sink: (event: unknown) => void): void {
    if (this.alive) this.routes.set(key, sink)
  }

  unroute(key: SubscriptionKey): void {
    this.routes.delete(key)
  }

  /**
   * Reads the connection until it ends, decoding messages as they arrive (on the socket's event, with no reader
   * fiber in between) and logging dropped ones at debug level; then ends the session.
   */
  readonly run: Effect.Effect<void> = Effect.suspend(() => {
    const direct = this.direct
    const reading = direct === undefined
      ? this.connection.messages.pipe(Stream.runForEach((message) => Effect.sync(() => this.decodeMessage(message))), Effect.ignore)
      : Effect.suspend(() => {
        direct.listen(this.decodeMessage)
        return direct.closed
      })
    return Effect.raceFirst(reading, this.logNoise)
  }).pipe(Effect.ensuring(Effect.sync(() => this.end())))

  private readonly logNoise: Effect.Effect<never> = Effect.suspend(() => {
    const lines = this.noiseLog
    this.noiseLog = []
    const wake = this.noiseWake
    if (lines.length === 0) return Effect.zipRight(wake.await, this.logNoise)
    this.noiseWake = new Signal<void>()
    return Effect.zipRight(
      Effect.forEach(lines, (line) => Effect.logDebug(`${this.protocol.name}: dropped an inbound message: ${line}`), { discard: true }),
      this.logNoise
    )
  })

  /** Ends the session now: written requests fail with `ConnectionLost`, later ones wait for the next session. */
  end(): void {
    if (!this.alive) return
    this.alive = false
    for (const pending of this.pending.values()) pending.done(Exit.fail(new ConnectionLost({ command: pending.command })))
    this.pending.clear()
    this.routes.clear()
    this.late.clear()
    if (this.armedKey !== undefined) this.deadlines.remove(this.armedKey)
    this.ended.done(Exit.void)
  }

  // Inbound: what the protocol's decode reports.

  /** Stops waiting for request `id`; an answer that still must be acted on (`onLateAnswer`) is kept for. */
  private forget(id: number, pending: Pending<E>): void {
    this.pending.delete(id)
    if (pending.onLateAnswer !== undefined) this.late.set(id, pending.onLateAnswer)
  }

  /**
   * Writes `request` and forgets it: its answer is dropped, or `timeout` clears its entry. Synchronous, so it may be
   * called while a message is read (an unsubscribe for a subscribe answered after its caller left).
   */
  fireAndForget(request: Request, timeout: Duration.Duration): void {
    if (!this.alive || this.direct === undefined) {
      if (this.alive) Effect.runFork(Effect.ignore(this.send(request, { timeout })))
      return
    }
    this.start(request, { timeout })
  }

  readonly result = (id: number, value: unknown): void => {
    const pending = this.pending.get(id)
    if (pending === undefined) {
      const late = this.late.get(id)
      if (late === undefined) return this.noise(`an answer for id ${id}, which no request waits for`)
      this.late.delete(id)
      return late(value)
    }
    this.pending.delete(id)
    const refused = pending.onAnswer?.(value)
    pending.done(refused === undefined ? Exit.succeed(value) : Exit.fail(refused))
  }

  readonly error = (id: number, error: E): void => {
    const pending = this.pending.get(id)
    if (pending === undefined) {
      // A late error answer to a subscribe: nothing was subscribed, nothing to undo.
      if (this.late.delete(id)) return
      return this.noise(`an error answer for id ${id}, which no request waits for`)
    }
    this.pending.delete(id)
    pending.done(Exit.fail(error))
  }

  readonly event = (key: SubscriptionKey, value: unknown): void => {
    const sink = this.routes.get(key)
    // Events of a subscription we no longer have are dropped quietly: its unsubscribe may still be on its way.
    if (sink !== undefined) sink(value)
    else this.dropped++
  }

  readonly noise = (reason: string): void => {
    this.dropped++
    if (this.noiseLog.length >= NOISE_BOUND) return
    this.noiseLog.push(reason)
    this.noiseWake.done(Exit.void)
  }
}
