/**
 * The inbound message buffer of one connection: messages kept in arrival order from the moment the socket opens,
 * none dropped, with backpressure (pause the socket at `capacity`, resume once half drained) and an end that is
 * delivered only after every buffered message.
 */
import * as Effect from "effect/Effect"
import { Fifo } from "./Fifo.js"

/** What `poll` returns when nothing is buffered. */
export const empty: unique symbol = Symbol("InboundBuffer.empty")

interface Waiter {
  readonly wake: () => void
  woken: boolean
}

/** Hooks the buffer calls to stop and restart reading from the socket. */
export interface FlowControl {
  readonly pause: () => void
  readonly resume: () => void
}

export class InboundBuffer<A, E> {
  private readonly items = new Fifo<A>()
  private readonly waiters: Array<Waiter> = []
  // The end is kept as a thunk: most connections end without anyone asking why, and building an error is costly.
  private ended: (() => E) | undefined = undefined
  private endError: E | undefined = undefined
  private paused = false
  /** The most messages held at once: what the bound promises, observable in tests. */
  peak = 0

  constructor(
    readonly capacity: number,
    private readonly flow: FlowControl
  ) {}

  get size(): number {
    return this.items.size
  }

  get isEnded(): boolean {
    return this.ended !== undefined
  }

  /** Appends a message from the socket; never drops, pauses the socket when the buffer reaches capacity. */
  push(item: A): void {
    if (this.ended !== undefined) return
    this.items.push(item)
    const size = this.size
    if (size > this.peak) this.peak = size
    if (size >= this.capacity && !this.paused) {
      this.paused = true
      this.flow.pause()
    }
    this.wakeOne()
  }

  /** Marks the end of the stream; takers see `error()` once every buffered message has been taken. */
  end(error: () => E): void {
    if (this.ended !== undefined) return
    this.ended = error
    while (this.waiters.length > 0) this.wakeOne()
  }

  private takeEffect: Effect.Effect<A, E> | undefined = undefined
  private takeAllEffect: Effect.Effect<ReadonlyArray<A>, E> | undefined = undefined

  /** The next message, waiting for one if needed; fails with the end once the buffer is drained. */
  get take(): Effect.Effect<A, E> {
    // Built on first use and kept: many connections never take (and a fresh effect per call would allocate).
    return this.takeEffect ??= this.makeTake()
  }

  /** Every message available now (at least one, waiting if needed); fails with the end once drained. */
  get takeAll(): Effect.Effect<ReadonlyArray<A>, E> {
    return this.takeAllEffect ??= this.makeTakeAll()
  }

  private makeTake(): Effect.Effect<A, E> {
    return Effect.suspend(() => {
      const item = this.poll()
      if (item !== empty) return Effect.succeed(item)
      if (this.ended !== undefined) return Effect.fail(this.failure(this.ended))
      return Effect.zipRight(this.awaitItem, this.take)
    })
  }

  /** Removes and returns every message buffered now, without waiting. */
  drain(): ReadonlyArray<A> {
    if (this.size === 0) return []
    const batch = this.items.takeAll()
    this.afterTake()
    return batch
  }

  private makeTakeAll(): Effect.Effect<ReadonlyArray<A>, E> {
    return Effect.suspend(() => {
      if (this.size > 0) return Effect.succeed(this.drain())
      if (this.ended !== undefined) return Effect.fail(this.failure(this.ended))
      return Effect.zipRight(this.awaitItem, this.takeAll)
    })
  }

  private failure(ended: () => E): E {
    return this.endError ??= ended()
  }

  /** The next buffered message, or `empty` if there is none, without waiting (and without allocating). */
  poll(): A | typeof empty {
    if (this.items.size === 0) return empty
    const value = this.items.shift() as A
    this.afterTake()
    return value
  }

  private afterTake(): void {
    if (this.paused && this.size <= this.capacity >> 1) {
      this.paused = false
      this.flow.resume()
    }
  }

  // A woken waiter retries the take itself, so a message is never handed to a fiber that was interrupted meanwhile.
  private get awaitItem(): Effect.Effect<void> {
    return this.awaitItemEffect ??= this.makeAwaitItem()
  }

  private awaitItemEffect: Effect.Effect<void> | undefined = undefined

  private makeAwaitItem(): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const waiter: Waiter = { wake: () => resume(Effect.void), woken: false }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
        // Interrupted after being woken: pass the wake-up on so the message does not wait for a new taker.
        else if (waiter.woken && (this.size > 0 || this.ended !== undefined)) this.wakeOne()
      })
    })
  }

  private wakeOne(): void {
    const waiter = this.waiters.shift()
    if (waiter === undefined) return
    waiter.woken = true
    waiter.wake()
  }
}
