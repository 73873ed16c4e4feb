/**
 * One live subscription: its subscribe request, the mailbox its Stream reads, and the session it is attached to.
 * Across reconnects it is attached again once per new session, so its Stream just continues.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Mailbox from "effect/Mailbox"
import { InvalidMessage } from "../../core/errors.js"
import type { AnyProtocol, ResultError, Session, SessionEnded } from "./session.js"
import type { SubscriptionKey } from "../Protocol.js"
import type { ConnectionLost } from "../errors.js"

/** An event with the number of the attachment (one per connection) it came on. */
export interface Attached<A> {
  readonly attachment: number
  readonly event: A
}

export class LiveSubscription<Request, Info, E, F> {
  private attachedTo: { readonly session: Session<Request, Info, E>; key: SubscriptionKey | undefined; readonly request: Request } | undefined =
    undefined
  /** How many times the subscribe request was written: once per session. */
  attachments = 0

  /**
   * `request` may be rebuilt for each connection from its handshake's `Info`. With `numbered`, each event is offered
   * as `Attached`, so a consumer can tell a fresh snapshot after a reconnect from a change. `resubscribe: false`:
   * not attached again after a loss; its Stream fails with `ConnectionLost` instead.
   */
  constructor(
    private readonly protocol: AnyProtocol<Request, E>,
    readonly request: Request | ((info: Info) => Request),
    readonly mailbox: Mailbox.Mailbox<unknown, F>,
    private readonly numbered: boolean,
    readonly resubscribe: boolean,
    /** Whether a re-subscribe the peer refused is sent again on that connection (see `SubscribeOptions`). */
    readonly whenRefused?: (refusal: unknown) => Effect.Effect<boolean>
  ) {}

  /** The session it is attached to now, if any. */
  get session(): Session<Request, Info, E> | undefined {
    return this.attachedTo?.session
  }

  /** The subscribe request's name, for errors. */
  nameOn(info: Info): string {
    return this.protocol.nameOf(this.requestFor(info))
  }

  private requestFor(info: Info): Request {
    return typeof this.request === "function" ? (this.request as (info: Info) => Request)(info) : this.request
  }

  /**
   * Writes the subscribe request on `session`, routing its events before the frame leaves (keyed by the request's
   * id: the peer may send the answer and the first event in one batch) or as its answer is read (keyed by the answer).
   * Does nothing if already attached to that session. Succeeds with the wait for the answer.
   */
  attach(
    session: Session<Request, Info, E>,
    timeout: Duration.Duration
  ): Effect.Effect<Effect.Effect<unknown, ResultError<E>>, SessionEnded | ConnectionLost | InvalidMessage> {
    return Effect.suspend(() => {
      if (this.attachedTo?.session === session) return Effect.succeed(Effect.void)
      let request: Request
      try {
        request = this.requestFor(session.info)
      } catch (error) {
        // A request built per connection by the caller's function, which threw: bad input, typed, nothing sent.
        return Effect.fail(new InvalidMessage({
          reason: `building the subscribe request failed (${error instanceof Error ? error.name : "a non-error"})`
        }))
      }
      const attachment = this.attachments + 1
      const sink = this.numbered
        ? (event: unknown) => this.mailbox.unsafeOffer({ attachment, event } satisfies Attached<unknown>)
        : (event: unknown) => this.mailbox.unsafeOffer(event)
      const keyOf = this.protocol.subscriptionKey
      const attached = { session, key: undefined as SubscriptionKey | undefined, request }
      return Effect.map(
        session.send(request, {
          beforeWrite: (id) => {
            this.attachedTo = attached
            this.attachments = attachment
            if (keyOf === undefined) {
              attached.key = id
              session.route(id, sink)
            }
          },
          timeout,
          ...(keyOf === undefined ? {} : {
            onAnswer: (answer: unknown) => {
              const key = keyOf(answer)
              if (key instanceof InvalidMessage) return key
              if (this.attachedTo !== attached) {
                // The Stream ended while the answer travelled: undo the subscription the peer just made.
                this.unsubscribeLate(session, key, request, timeout)
                return undefined
              }
              attached.key = key
              session.route(key, sink)
              return undefined
            },
            // Answered after its timeout (the Stream has failed): undo it, or the peer keeps sending its events.
            onLateAnswer: (answer: unknown) => {
              const key = keyOf(answer)
              if (!(key instanceof InvalidMessage)) this.unsubscribeLate(session, key, request, timeout)
            }
          })
        }),
        (sent) => sent.result
      )
    })
  }

  private unsubscribeLate(session: Session<Request, Info, E>, key: SubscriptionKey, request: Request, timeout: Duration.Duration): void {
    const unsubscribe = this.protocol.unsubscribe?.(key, request)
    if (unsubscribe !== undefined) session.fireAndForget(unsubscribe, timeout)
  }

  /** Forgets the session it was attached to (it ended), without unsubscribing. */
  forget(): void {
    this.attachedTo = undefined
  }

  /** The peer refused the subscribe: no events can come for it, so its route goes, and it may be attached again. */
  refused(): void {
    const attached = this.attachedTo
    this.attachedTo = undefined
    if (attached?.key !== undefined) attached.session.unroute(attached.key)
  }

  /**
   * Stops routing events and, if the session still lives, writes the protocol's unsubscribe. Its answer is not
   * awaited (ending a Stream never waits on the peer); the session drops it, or its deadline `timeout` does.
   */
  detach(timeout: Duration.Duration): Effect.Effect<void> {
    return Effect.suspend(() => {
      const attached = this.attachedTo
      this.attachedTo = undefined
      if (attached === undefined || attached.key === undefined) return Effect.void
      attached.session.unroute(attached.key)
      const unsubscribe = this.protocol.unsubscribe?.(attached.key, attached.request)
      if (!attached.session.isAlive || unsubscribe === undefined) return Effect.void
      return Effect.ignore(attached.session.send(unsubscribe, { timeout }))
    })
  }
}
