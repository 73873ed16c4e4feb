/**
 * One live subscription: its subscribe command, the mailbox its Stream reads, and the session it is attached to.
 * Across reconnects it is re-attached once per new session, so its Stream just continues.
 */
import * as Effect from "effect/Effect"
import type * as Mailbox from "effect/Mailbox"
import type { InvalidMessage } from "../../core/errors.js"
import type { CommandError, ConnectionLost } from "../errors.js"
import { type CommandMessage, unsubscribeEventsMessage } from "../messages.js"
import type { Session, SessionEnded } from "./session.js"

export class LiveSubscription {
  private attachedTo: { readonly session: Session; readonly id: number } | undefined = undefined
  /** How many times the subscribe command was written: once per session. */
  attachments = 0

  /**
   * With `tagged`, each event is offered as `{ attachment, event }`, numbering the session it came on, so a
   * collection can tell a fresh snapshot after a reconnect from a change.
   */
  constructor(
    readonly message: CommandMessage,
    readonly mailbox: Mailbox.Mailbox<unknown, CommandError | InvalidMessage>,
    private readonly tagged = false
  ) {}

  /**
   * Writes the subscribe command on `session`, routing its events before the command leaves (HA may send the
   * result and the first event in one batch). Does nothing if already attached to that session.
   */
  attach(
    session: Session
  ): Effect.Effect<Effect.Effect<unknown, CommandError>, SessionEnded | ConnectionLost | InvalidMessage> {
    return Effect.suspend(() => {
      if (this.attachedTo?.session === session) return Effect.succeed(Effect.void)
      return Effect.map(
        session.send(this.message, (id) => {
          this.attachedTo = { session, id }
          const attachment = ++this.attachments
          session.route(
            id,
            this.tagged ? (event) => this.mailbox.unsafeOffer({ attachment, event }) : (event) => this.mailbox.unsafeOffer(event)
          )
        }),
        (sent) => sent.result
      )
    })
  }

  /** Stops routing events and, if the session still lives, sends `unsubscribe_events` (its outcome is ignored). */
  readonly detach: Effect.Effect<void> = Effect.suspend(() => {
    const attached = this.attachedTo
    this.attachedTo = undefined
    if (attached === undefined) return Effect.void
    attached.session.unroute(attached.id)
    if (!attached.session.isAlive) return Effect.void
    return attached.session.send(unsubscribeEventsMessage(attached.id)).pipe(
      Effect.flatMap((sent) => sent.result),
      Effect.ignore
    )
  })
}
