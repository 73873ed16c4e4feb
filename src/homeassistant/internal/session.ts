/**
 * One authenticated connection to Home Assistant: id allocation and writes as one synchronous step, results routed
 * to their commands, events to their subscriptions. A session never outlives its connection and is never reused.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { Connection } from "../../core/Connection.js"
import { ConnectionClosed, InvalidMessage } from "../../core/errors.js"
import { ConnectionImpl, written } from "../../core/internal/connection.js"
import type { Deadlines } from "../../core/Deadlines.js"
import { Signal } from "../../core/internal/Signal.js"
import { encodeMessage, type Frame, isPlainObject } from "../../core/message.js"
import type { WebSocketClient } from "../../core/WebSocketClient.js"
import { CommandTimeout, ConnectionLost, HomeAssistantError } from "../errors.js"
import type { CommandMessage, ErrorPayload } from "../messages.js"

/** Internal: the session ended before the command was written, so it may safely go to the next session. */
export class SessionEnded extends Data.TaggedError("SessionEnded") {}

/** How a written command can fail. */
export type ResultError = HomeAssistantError | ConnectionLost | CommandTimeout

/** A written command waiting for its result: the result signal itself, with what its deadline needs. */
class Pending extends Signal<unknown, ResultError> {
  /** When it times out (Effect-clock ms), and its bound; `Infinity` for none. */
  at = Infinity
  timeout: Duration.Duration = Duration.infinity
  /** The write, when the socket has yet to confirm it; `written` when it took the frame at once. */
  write: Effect.Effect<void, ConnectionClosed> = written

  constructor(readonly id: number, readonly command: string) {
    super()
  }
}

/** What `tryCommand` returns when the caller's `resume` now waits for the result. */
export const registered: unique symbol = Symbol("registered")

/** A command on the wire: its id and the awaitable result. */
export interface Sent {
  readonly id: number
  readonly result: Effect.Effect<unknown, ResultError>
}

const toHomeAssistantError = (error: ErrorPayload | undefined): HomeAssistantError =>
  new HomeAssistantError({
    code: typeof error?.code === "string" ? error.code : "unknown_error",
    message: typeof error?.message === "string" ? error.message : "Unknown error",
    ...(typeof error?.translation_key === "string" ? { translationKey: error.translation_key } : {}),
    ...(typeof error?.translation_domain === "string" ? { translationDomain: error.translation_domain } : {}),
    ...(error?.translation_placeholders === undefined ? {} : { translationPlaceholders: error.translation_placeholders })
  })

/**
 * The command's frame: a copy of the message with `"id"` first (ours wins over one the message carries, as HA
 * needs), encoded once. (Encoding the message and splicing the id into its text measured slower and allocated more:
 * the spliced string is copied again when the socket writes it.)
 */
const withId = (message: CommandMessage, id: number): Either.Either<Frame, InvalidMessage> => {
  if (typeof message !== "object" || message === null || Array.isArray(message) || !isPlainObject(message)) {
    return Either.left(new InvalidMessage({ reason: "a command must be a plain object" }))
  }
  const command: Record<string, unknown> = { id }
  for (const key in message) {
    if (key !== "id" && Object.hasOwn(message, key)) command[key] = (message as Record<string, unknown>)[key]
  }
  const frame = encodeMessage(command)
  return frame instanceof InvalidMessage ? Either.left(frame) : Either.right(frame)
}

export class Session {
  private nextId = 0
  private alive = true
  private readonly pending = new Map<number, Pending>()
  private readonly routes = new Map<number, (event: unknown) => void>()
  private readonly impl: ConnectionImpl | undefined
  private armedAt: number | undefined = undefined
  private armedKey: number | undefined = undefined
  private lastTimeout: Duration.Duration | undefined = undefined
  private lastMillis = Infinity
  // Only for a connection of another WebSocketClient implementation, whose writes may not start synchronously.
  private readonly writeLock = Effect.unsafeMakeSemaphore(1)
  /** Completes once the session has ended, whatever ended it. */
  readonly ended = new Signal<void>()

  constructor(
    private readonly client: WebSocketClient["Type"],
    readonly connection: Connection,
    readonly haVersion: string,
    private readonly deadlines: Deadlines
  ) {
    this.impl = connection instanceof ConnectionImpl ? connection : undefined
  }

  get isAlive(): boolean {
    return this.alive
  }

  /**
   * Writes a command and returns the wait for its result (`CommandTimeout` after `timeout`), or `undefined` if the
   * session can no longer send (nothing was sent: the command may go to the next session, which `onEnded` does when
   * that is only found out later). Given `resume` (the caller is an `Effect.async`), a command written at once under
   * a deadline registers `resume` as the result's waiter and returns `registered`. Id allocation and the write
   * happen in one synchronous step, so ids reach the wire strictly increasing without a lock.
   */
  tryCommand<E>(
    message: CommandMessage,
    timeout: Duration.Duration,
    name: string,
    onEnded: () => Effect.Effect<unknown, E>
  ): Effect.Effect<unknown, ResultError | InvalidMessage | E> | undefined
  tryCommand<E>(
    message: CommandMessage,
    timeout: Duration.Duration,
    name: string,
    onEnded: () => Effect.Effect<unknown, E>,
    resume: (result: Effect.Effect<unknown, ResultError>) => void
  ): Effect.Effect<unknown, ResultError | InvalidMessage | E> | typeof registered | undefined
  tryCommand<E>(
    message: CommandMessage,
    timeout: Duration.Duration,
    name: string,
    onEnded: () => Effect.Effect<unknown, E>,
    resume?: (result: Effect.Effect<unknown, ResultError>) => void
  ): Effect.Effect<unknown, ResultError | InvalidMessage | E> | typeof registered | undefined {
    if (!this.alive) return undefined
    if (this.impl === undefined || !this.deadlines.isRunning) {
      // Another client's connection: its send may find the session ended only once it runs.
      return Effect.flatMap(this.send(message), (sent) =>
        Effect.timeoutFail(sent.result, { duration: timeout, onTimeout: () => new CommandTimeout({ command: name, after: timeout }) }))
        .pipe(Effect.catchTag("SessionEnded", onEnded))
    }
    const pending = this.start(message, undefined)
    if (!(pending instanceof Pending)) return pending._tag === "SessionEnded" ? undefined : Effect.fail(pending)
    const { id, write } = pending
    const millis = this.millisOf(timeout)
    if (millis !== Infinity) {
      pending.at = this.deadlines.now() + millis
      pending.timeout = timeout
      if (this.armedAt === undefined || pending.at < this.armedAt) this.arm(pending.at)
    }
    if (write !== written) return Effect.zipRight(this.afterWrite(id, pending.command, write), this.awaitResult(id, pending))
    if (resume === undefined || pending.at === Infinity) return this.awaitResult(id, pending)
    // The caller's own wake-up waits for the result: no Effect is made for the wait at all.
    pending.wake(resume)
    return registered
  }

  /** `timeout` in milliseconds, kept for the next command: nearly every command has the client's default. */
  private millisOf(timeout: Duration.Duration): number {
    if (timeout !== this.lastTimeout) {
      this.lastTimeout = timeout
      this.lastMillis = Duration.toMillis(timeout)
    }
    return this.lastMillis
  }

  /**
   * Writes a command; `beforeWrite` runs with the id before the frame leaves (a subscription registers its route
   * there). Succeeds once the frame is written, with the id and the awaitable result. `SessionEnded` means nothing
   * was sent (the next session may take the command); `ConnectionLost` that it may have been.
   */
  send(
    message: CommandMessage,
    beforeWrite?: (id: number) => void
  ): Effect.Effect<Sent, SessionEnded | ConnectionLost | InvalidMessage> {
    const write = Effect.suspend((): Effect.Effect<Sent, SessionEnded | ConnectionLost | InvalidMessage> => {
      const pending = this.start(message, beforeWrite)
      if (!(pending instanceof Pending)) return Effect.fail(pending)
      const { id, write } = pending
      const sent: Sent = { id, result: this.awaitResult(id, pending) }
      return write === written ? Effect.succeed(sent) : Effect.as(this.afterWrite(id, pending.command, write), sent)
    })
    return this.impl === undefined ? this.writeLock.withPermits(1)(write) : write
  }

  /** Allocates the id, registers the command and starts its write, all synchronously. */
  private start(
    message: CommandMessage,
    beforeWrite: ((id: number) => void) | undefined
  ): Pending | SessionEnded | InvalidMessage {
    // Nothing has been handed to the socket yet: the command can safely wait for the next session.
    if (!this.alive || this.connection.state !== "open") return new SessionEnded()
    const frame = withId(message, this.nextId + 1)
    if (Either.isLeft(frame)) return frame.left
    const id = ++this.nextId
    const pending = new Pending(id, message.type)
    this.pending.set(id, pending)
    beforeWrite?.(id)
    if (this.impl === undefined) {
      pending.write = Effect.mapError(this.client.send(this.connection, frame.right), (): ConnectionClosed =>
        new ConnectionClosed({ code: 1006, reason: "write failed" }))
      return pending
    }
    const begun = this.impl.beginWrite(frame.right)
    if (begun instanceof ConnectionClosed) {
      // The socket refused the frame (it is closing, its close not yet reported): nothing left this process, so the
      // command waits for the next session. The session ends now: otherwise every command issued until the close
      // is reported would be refused in turn.
      this.pending.delete(id)
      this.routes.delete(id)
      this.end()
      return new SessionEnded()
    }
    pending.write = begun === undefined ? written : begun.await
    return pending
  }

  /**
   * Waits for a write that the socket did not take at once. If it fails, the frame had already been handed to the
   * socket and may have reached Home Assistant, so the command fails with `ConnectionLost` and is never re-sent.
   */
  private afterWrite(
    id: number,
    command: string,
    write: Effect.Effect<void, ConnectionClosed>
  ): Effect.Effect<void, ConnectionLost> {
    return Effect.catchAll(write, () => {
      this.pending.delete(id)
      this.routes.delete(id)
      return Effect.fail(new ConnectionLost({ command }))
    })
  }

  /** The command's result; a caller that stops waiting leaves its entry to its deadline, or takes it along. */
  private awaitResult(id: number, pending: Pending): Effect.Effect<unknown, ResultError> {
    // With a deadline the entry goes by itself soon enough (result, timeout or session end): no interruption
    // finalizer, which measured as a tenth of a call_service round trip.
    if (pending.at !== Infinity) return pending.awaitUncancellable
    return pending.awaitOr(() => {
      if (this.pending.get(id) === pending) this.pending.delete(id)
    })
  }

  /**
   * Command deadlines cost no timer entry each: the session keeps one entry, at the earliest deadline of its
   * pending commands. When it fires, every command past its deadline fails with `CommandTimeout` and the entry is
   * set again for the next one. (Commands that complete leave it armed; it then finds nothing and re-arms.)
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
      if (pending.at <= now) this.expire(id, new CommandTimeout({ command: pending.command, after: pending.timeout }))
      else if (pending.at !== Infinity && (next === undefined || pending.at < next)) next = pending.at
    }
    if (next !== undefined && this.alive) this.arm(next)
  }

  /** Fails command `id` with `error` if it is still waiting (its deadline passed). */
  expire(id: number, error: CommandTimeout): void {
    const pending = this.pending.get(id)
    if (pending === undefined) return
    this.pending.delete(id)
    pending.done(Exit.fail(error))
  }

  /** Routes the events of subscription `id` to `sink` until `unroute`. */
  route(id: number, sink: (event: unknown) => void): void {
    if (this.alive) this.routes.set(id, sink)
  }

  unroute(id: number): void {
    this.routes.delete(id)
  }

  /**
   * Reads the connection until it ends, dispatching results and events as they arrive (on the socket's event,
   * with no reader fiber in between); then ends the session.
   */
  readonly run: Effect.Effect<void> = Effect.suspend(() => {
    const impl = this.impl
    if (impl === undefined) {
      return this.connection.messages.pipe(
        Stream.runForEach((frame) => Effect.sync(() => this.dispatchFrame(frame))),
        Effect.ignore
      )
    }
    impl.listen((frame) => this.dispatchFrame(frame))
    return impl.closed
  }).pipe(Effect.ensuring(Effect.sync(() => this.end())))

  /** Ends the session now: written commands fail with `ConnectionLost`, later ones wait for the next session. */
  end(): void {
    if (!this.alive) return
    this.alive = false
    for (const pending of this.pending.values()) pending.done(Exit.fail(new ConnectionLost({ command: pending.command })))
    this.pending.clear()
    this.routes.clear()
    if (this.armedKey !== undefined) this.deadlines.remove(this.armedKey)
    this.ended.done(Exit.void)
  }

  private dispatchFrame(frame: unknown): void {
    // After supported_features, HA may coalesce several messages into one JSON array.
    if (Array.isArray(frame)) for (const message of frame) this.dispatch(message)
    else this.dispatch(frame)
  }

  private dispatch(message: unknown): void {
    if (typeof message !== "object" || message === null) return
    const { id, type } = message as { readonly id?: unknown; readonly type?: unknown }
    if (typeof id !== "number") return
    if (type === "event") {
      // Events of a subscription we no longer have are dropped quietly.
      this.routes.get(id)?.((message as { readonly event?: unknown }).event)
      return
    }
    const pending = this.pending.get(id)
    if (pending === undefined) return
    this.pending.delete(id)
    if (type === "pong") {
      pending.done(Exit.succeed(null))
    } else if (type === "result") {
      const result = message as { readonly success?: unknown; readonly result?: unknown; readonly error?: ErrorPayload }
      pending.done(result.success === true ? Exit.succeed(result.result ?? null) : Exit.fail(toHomeAssistantError(result.error))
      )
    }
  }
}
