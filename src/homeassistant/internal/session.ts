/**
 * One authenticated connection to Home Assistant: id allocation and writes as one atomic step, results routed to
 * their commands, events to their subscriptions. A session never outlives its connection and is never reused.
 */
import { Data, Effect, Exit, Stream } from "effect"
import type { Connection } from "../../core/Connection.js"
import type { InvalidMessage } from "../../core/errors.js"
import type { WebSocketClient } from "../../core/WebSocketClient.js"
import { type CommandTimeout, ConnectionLost, HomeAssistantError } from "../errors.js"
import type { CommandMessage, ErrorPayload } from "../messages.js"
import { Signal } from "../../core/internal/Signal.js"

/** Internal: the session ended before the command was written, so it may safely go to the next session. */
export class SessionEnded extends Data.TaggedError("SessionEnded") {}

/** How a written command can fail. */
export type ResultError = HomeAssistantError | ConnectionLost | CommandTimeout

interface Pending {
  readonly command: string
  readonly result: Signal<unknown, ResultError>
}

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

export class Session {
  private nextId = 0
  private alive = true
  private readonly pending = new Map<number, Pending>()
  private readonly routes = new Map<number, (event: unknown) => void>()
  private readonly writeLock = Effect.unsafeMakeSemaphore(1)
  /** Completes once the session has ended, whatever ended it. */
  readonly ended = new Signal<void>()

  constructor(
    private readonly client: WebSocketClient["Type"],
    readonly connection: Connection,
    readonly haVersion: string
  ) {}

  get isAlive(): boolean {
    return this.alive
  }

  /**
   * Allocates the next id and writes the command under one lock, so ids reach the wire strictly increasing.
   * `beforeWrite` runs with the id before the frame leaves (a subscription registers its route there).
   */
  send(
    message: CommandMessage,
    beforeWrite?: (id: number) => void
  ): Effect.Effect<Sent, SessionEnded | InvalidMessage> {
    return this.writeLock.withPermits(1)(Effect.suspend(() => {
      if (!this.alive) return Effect.fail(new SessionEnded())
      const id = ++this.nextId
      const result = new Signal<unknown, ResultError>()
      this.pending.set(id, { command: message.type, result })
      beforeWrite?.(id)
      const sent: Sent = {
        id,
        result: result.await.pipe(Effect.ensuring(Effect.sync(() => this.pending.delete(id))))
      }
      return this.client.send(this.connection, { ...message, id }).pipe(
        Effect.as(sent),
        Effect.catchAll((error): Effect.Effect<never, SessionEnded | InvalidMessage> => {
          this.pending.delete(id)
          this.routes.delete(id)
          // A closed socket refuses the write before anything leaves: the command may go to the next session.
          return error._tag === "InvalidMessage" ? Effect.fail(error) : Effect.fail(new SessionEnded())
        })
      )
    }))
  }

  /** Fails command `id` with `error` if it is still waiting (its deadline passed). */
  expire(id: number, error: CommandTimeout): void {
    const pending = this.pending.get(id)
    if (pending === undefined) return
    this.pending.delete(id)
    pending.result.done(Exit.fail(error))
  }

  /** Routes the events of subscription `id` to `sink` until `unroute`. */
  route(id: number, sink: (event: unknown) => void): void {
    if (this.alive) this.routes.set(id, sink)
  }

  unroute(id: number): void {
    this.routes.delete(id)
  }

  /** Reads the connection until it ends, dispatching results and events; then ends the session. */
  readonly run: Effect.Effect<void> = Effect.suspend(() =>
    this.connection.messages.pipe(
      Stream.runForEach((frame) => Effect.sync(() => this.dispatchFrame(frame))),
      Effect.ignore,
      Effect.ensuring(Effect.sync(() => this.end()))
    )
  )

  /** Ends the session now: written commands fail with `ConnectionLost`, later ones wait for the next session. */
  end(): void {
    if (!this.alive) return
    this.alive = false
    for (const { command, result } of this.pending.values()) {
      result.done(Exit.fail(new ConnectionLost({ command })))
    }
    this.pending.clear()
    this.routes.clear()
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
      pending.result.done(Exit.succeed(null))
    } else if (type === "result") {
      const result = message as { readonly success?: unknown; readonly result?: unknown; readonly error?: ErrorPayload }
      pending.result.done(result.success === true ? Exit.succeed(result.result ?? null) : Exit.fail(toHomeAssistantError(result.error))
      )
    }
  }
}
