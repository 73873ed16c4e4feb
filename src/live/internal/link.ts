/**
 * Which session commands go to right now: connected to one, waiting for the next, or closed for good.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { Disconnected } from "../errors.js"
import { Signal } from "../../core/Signal.js"

/** What a live session's connection is doing, as users see it. */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "suspended" | "closed"

/** What the link needs of a session: whether it still lives. */
export interface Alive {
  readonly isAlive: boolean
}

type Status<Session extends Alive> =
  | { readonly _tag: "Connected"; readonly session: Session }
  | { readonly _tag: "Waiting"; readonly state: "connecting" | "reconnecting" | "suspended" }
  | { readonly _tag: "Closed"; readonly reason: Disconnected }

export class Link<Session extends Alive> {
  private status: Status<Session> = { _tag: "Waiting", state: "connecting" }
  private changed = new Signal<void>()

  constructor(readonly state: SubscriptionRef.SubscriptionRef<ConnectionState>) {}

  static make = <Session extends Alive>(): Effect.Effect<Link<Session>> =>
    Effect.map(SubscriptionRef.make<ConnectionState>("connecting"), (state) => new Link<Session>(state))

  /** The live session right now, if connected. */
  get current(): Session | undefined {
    return this.status._tag === "Connected" && this.status.session.isAlive ? this.status.session : undefined
  }

  get isClosed(): boolean {
    return this.status._tag === "Closed"
  }

  connected(session: Session): Effect.Effect<void> {
    return this.set({ _tag: "Connected", session }, "connected")
  }

  waiting(state: "connecting" | "reconnecting" | "suspended"): Effect.Effect<void> {
    return this.set({ _tag: "Waiting", state }, state)
  }

  closed(reason: Disconnected): Effect.Effect<void> {
    return this.set({ _tag: "Closed", reason }, "closed")
  }

  /** The live session, waiting for one while (re)connecting; fails once the client is closed. */
  readonly session: Effect.Effect<Session, Disconnected> = Effect.suspend(() => {
    const status = this.status
    switch (status._tag) {
      case "Connected":
        return status.session.isAlive ? Effect.succeed(status.session) : Effect.zipRight(this.changed.await, this.session)
      case "Closed":
        return Effect.fail(status.reason)
      case "Waiting":
        return Effect.zipRight(this.changed.await, this.session)
    }
  })

  private set(status: Status<Session>, state: ConnectionState): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.status._tag === "Closed") return Effect.void
      this.status = status
      const changed = this.changed
      this.changed = new Signal<void>()
      changed.done(Exit.void)
      return SubscriptionRef.set(this.state, state)
    })
  }
}
