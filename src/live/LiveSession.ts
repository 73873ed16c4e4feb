/**
 * A live session: one connection kept alive for a protocol. It reconnects on a `Schedule`, runs the protocol's
 * handshake on every new connection, sends requests at most once, keeps subscriptions as Streams across reconnects
 * (subscribed again exactly once per connection), runs the protocol's keep-alive, and can be suspended.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Deadlines } from "../core/Deadlines.js"
import { durationOr } from "../core/duration.js"
import { InvalidMessage, type InvalidOption } from "../core/errors.js"
import { WebSocketClient } from "../core/WebSocketClient.js"
import { CommandTimeout, ConnectionLost, Disconnected } from "./errors.js"
import { Link } from "./internal/link.js"
import { registered, type ResultError, Session, SessionEnded } from "./internal/session.js"
import { type Attached, LiveSubscription } from "./internal/subscription.js"
import { Suspension } from "./internal/suspension.js"
import type { Protocol } from "./Protocol.js"
import type { LiveSession, LiveSessionOptions, OpenError, RequestError, RequestOptions, SubscribeOptions } from "./contract.js"

export type { ConnectionState } from "./internal/link.js"
export type { Attached } from "./internal/subscription.js"
export type {
  LiveSession,
  LiveSessionOptions,
  OpenError,
  RequestError,
  RequestOptions,
  SubscribeOptions
} from "./contract.js"

/** The default reconnect schedule: 1 s, 2 s, 4 s ... jittered, never more than 30 s apart. */
export const defaultReconnectSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("30 seconds")),
  Schedule.jittered
)

/**
 * Opens a live session of `protocol`: the first connection (with its handshake) must open before this succeeds;
 * later losses reconnect on the schedule. Closing the scope closes the connection and ends every subscription.
 */
export const make = <Request, Info, ProtocolError, ProtocolOpenError, Prepared>(
  protocol: Protocol<Request, Info, ProtocolError, ProtocolOpenError, Prepared>,
  options: LiveSessionOptions
): Effect.Effect<
  LiveSession<Request, Info, ProtocolError>,
  OpenError<ProtocolError, ProtocolOpenError> | InvalidOption,
  WebSocketClient | Scope.Scope
> =>
  Effect.gen(function*() {
    type S = Session<Request, Info, ProtocolError>
    type Failure = RequestError<ProtocolError>
    const client = yield* WebSocketClient
    const layerScope = yield* Effect.scope
    const requestTimeout = yield* durationOr("requestTimeout", options.requestTimeout, Duration.seconds(30))
    const connectTimeout = yield* durationOr("connectTimeout", options.connectTimeout, Duration.seconds(10))
    const handshakeTimeout = yield* durationOr("handshakeTimeout", options.handshakeTimeout, Duration.seconds(10))
    const keepAlive = options.keepAlive === false || protocol.ping === undefined
      ? undefined
      : {
        ping: protocol.ping,
        interval: yield* durationOr("keepAlive.interval", options.keepAlive?.interval, Duration.seconds(30)),
        timeout: yield* durationOr("keepAlive.timeout", options.keepAlive?.timeout, Duration.seconds(10))
      }
    const connectOptions = {
      ...protocol.connectOptions,
      url: options.url,
      timeout: connectTimeout,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.heartbeat === undefined ? {} : { heartbeat: options.heartbeat })
    }
    const link = yield* Link.make<S>()
    const deadlines = yield* Deadlines.make(layerScope)
    const subscriptions = new Set<LiveSubscription<Request, Info, ProtocolError, Failure>>()
    let droppedBefore = 0

    /** Runs `command` on the live session; a session that ends before the write hands it to the next one. */
    const onSession = <A, E>(
      name: string,
      command: (session: S) => Effect.Effect<A, E>,
      timeout: Duration.Duration
    ): Effect.Effect<A, Exclude<E, SessionEnded> | Disconnected | CommandTimeout> => {
      const attempt: Effect.Effect<A, Exclude<E, SessionEnded> | Disconnected> = Effect.flatMap(link.session, command)
        .pipe(
          Effect.catchIf((error): error is E & SessionEnded => error instanceof SessionEnded, () => attempt)
        ) as Effect.Effect<A, Exclude<E, SessionEnded> | Disconnected>
      return Effect.timeoutFail(attempt, { duration: timeout, onTimeout: () => new CommandTimeout({ command: name, after: timeout }) })
    }

    const timeoutOf = (requestOptions: RequestOptions | undefined) =>
      requestOptions?.timeout === undefined ? Either.right(requestTimeout) : durationOr("timeout", requestOptions.timeout, requestTimeout)

    /** The name of a request for errors, never throwing on a request the protocol cannot read. */
    const nameOf = (request: Request): string => {
      try {
        return protocol.nameOf(request)
      } catch {
        return "request"
      }
    }

    /**
     * A request: on a live session it is written at once and its answer awaited under a deadline entry (no fiber
     * per request); while (re)connecting, or if the session ends before the write, it waits for the next session
     * under an ordinary timeout.
     */
    const request = (message: Request, requestOptions?: RequestOptions): Effect.Effect<unknown, Failure> => {
      // Worked out once per Effect, not per run: a request Effect made once and run many times costs nothing here.
      const checked = timeoutOf(requestOptions)
      if (Either.isLeft(checked)) return Effect.fail(checked.left)
      const timeout = checked.right
      // Not connected, or the session ended before anything was sent: wait for the next session.
      const waiting = () => onSession(nameOf(message), (next) => Effect.flatMap(next.send(message), (sent) => sent.result), timeout)
      // One Effect op per request on a live session: the write happens as the wait begins, and the session wakes
      // this fiber with the answer (a suspend around a second async measured ~310 B more allocated per request).
      return Effect.async<unknown, Failure>((resume) => {
        const next = link.current?.tryRequest(message, timeout, waiting, resume)
        if (next !== registered) resume(next ?? waiting())
      })
    }

    /** A protocol's error answer in a batch is that entry's result; the shared failures fail the whole batch. */
    const entryOf = (either: Either.Either<unknown, ResultError<ProtocolError>>): Effect.Effect<Either.Either<unknown, ProtocolError>, Failure> => {
      if (Either.isRight(either)) return Effect.succeed(Either.right(either.right))
      const error = either.left
      const tag = (error as { readonly _tag?: unknown })._tag
      return tag === "ConnectionLost" || tag === "CommandTimeout" || tag === "InvalidMessage"
        ? Effect.fail(error as ConnectionLost | CommandTimeout | InvalidMessage)
        : Effect.succeed(Either.left(error as ProtocolError))
    }

    const batch = (requests: ReadonlyArray<Request>, requestOptions?: RequestOptions) =>
      Effect.suspend((): Effect.Effect<ReadonlyArray<Either.Either<unknown, ProtocolError>>, Failure> => {
        if (!Array.isArray(requests)) return Effect.fail(new InvalidMessage({ reason: "a batch must be an array of requests" }))
        if (requests.length === 0) return Effect.succeed([])
        const checked = timeoutOf(requestOptions)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        const timeout = checked.right
        return onSession(
          "batch",
          (session) =>
            Effect.flatMap(session.sendBatch(requests, timeout), (results) =>
              Effect.forEach(results, (result) => Effect.flatMap(Effect.either(result), entryOf))),
          timeout
        )
      }) as Effect.Effect<ReadonlyArray<Either.Either<unknown, ProtocolError>>, RequestError<never>>

    const notify = (message: Request, requestOptions?: RequestOptions) =>
      Effect.suspend((): Effect.Effect<void, RequestError<never>> => {
        const encodeNotification = protocol.encodeNotification
        if (encodeNotification === undefined) {
          return Effect.fail(new InvalidMessage({ reason: `${protocol.name} has no notifications` }))
        }
        const checked = timeoutOf(requestOptions)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        const frame = encodeNotification(message)
        if (frame instanceof InvalidMessage) return Effect.fail(frame)
        const name = nameOf(message)
        return onSession(name, (session) => session.sendFrame(frame, name), checked.right)
      })

    // A binary frame belongs to the connection it was meant for (an audio stream's handler id): never re-sent.
    const sendBinary = (bytes: Uint8Array) =>
      Effect.suspend((): Effect.Effect<void, ConnectionLost | Disconnected | InvalidMessage> => {
        if (!(bytes instanceof Uint8Array)) return Effect.fail(new InvalidMessage({ reason: "sendBinary takes a Uint8Array" }))
        if (link.isClosed) return Effect.asVoid(link.session)
        const session = link.current
        const lost = () => Effect.fail(new ConnectionLost({ command: "binary frame" }))
        return session === undefined ? lost() : Effect.catchTag(session.sendFrame(bytes, "binary frame"), "SessionEnded", lost)
      })

    // A keep-alive that gets no answer in time ends the session, which the supervisor then replaces.
    const keepAliveLoop = (session: S) =>
      keepAlive === undefined ? Effect.void : Effect.sleep(keepAlive.interval).pipe(
        Effect.zipRight(
          // Any answer proves the link alive, an error answer included.
          Effect.flatMap(session.send(keepAlive.ping), (sent) => Effect.exit(sent.result)).pipe(
            Effect.timeout(keepAlive.timeout)
          )
        ),
        Effect.forever,
        Effect.catchAll(() => Effect.sync(() => session.end()))
      )

    const handshakeName = protocol.handshakeName ?? "handshake"

    /** Opens one connection, runs the handshake and setup, in its own scope with its reader and keep-alive. */
    const startSession = Effect.gen(function*() {
      const scope = yield* Scope.fork(layerScope, ExecutionStrategy.sequential)
      const session = yield* Effect.gen(function*() {
        const prepared = (protocol.prepare === undefined ? undefined : yield* protocol.prepare) as Prepared
        const connection = yield* client.connect(connectOptions)
        const info = protocol.handshake === undefined
          ? undefined as Info
          : yield* Effect.timeoutFail(protocol.handshake(connection, client, prepared), {
            duration: handshakeTimeout,
            onTimeout: () => new CommandTimeout({ command: handshakeName, after: handshakeTimeout })
          })
        const session: S = new Session(protocol, client, connection, info, deadlines)
        yield* Effect.forkScoped(session.run)
        if (protocol.setup !== undefined) {
          yield* protocol.setup((message) =>
            session.send(message).pipe(
              Effect.catchTag("SessionEnded", () => new ConnectionLost({ command: nameOf(message) })),
              Effect.flatMap((sent) =>
                Effect.timeoutFail(sent.result, {
                  duration: requestTimeout,
                  onTimeout: () => new CommandTimeout({ command: nameOf(message), after: requestTimeout })
                })
              )
            ), info) as Effect.Effect<void, OpenError<ProtocolError, ProtocolOpenError>>
        }
        return session
      }).pipe(
        Scope.extend(scope),
        Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
      )
      yield* Effect.forkIn(keepAliveLoop(session), scope)
      return { session, scope }
    })

    /** Attaches `subscription` to a new session; a refusal may be retried once there (`whenRefused`). */
    const reattachOne = (
      session: S,
      subscription: LiveSubscription<Request, Info, ProtocolError, Failure>,
      mayRetry: boolean
    ): Effect.Effect<void> =>
      // The answer is bounded by the session's deadline entry: no answer in time is `CommandTimeout`.
      subscription.attach(session, requestTimeout).pipe(
        Effect.flatten,
        Effect.catchAll((error): Effect.Effect<void> => {
          const tag = (error as { readonly _tag?: unknown })._tag
          // A session that died again is replaced, and the next one re-attaches this subscription.
          if (tag === "SessionEnded" || tag === "ConnectionLost") return Effect.void
          const whenRefused = subscription.whenRefused
          const refusal = tag !== "CommandTimeout" && tag !== "InvalidMessage"
          if (!mayRetry || !refusal || whenRefused === undefined) return Effect.asVoid(subscription.mailbox.fail(error as Failure))
          subscription.refused()
          return Effect.flatMap(whenRefused(error), (again): Effect.Effect<void> =>
            // The session ended while it waited: the next one re-attaches it (it is no longer attached here).
            !session.isAlive || !subscriptions.has(subscription)
              ? Effect.void
              : again
              ? reattachOne(session, subscription, false)
              : Effect.asVoid(subscription.mailbox.fail(error as Failure)))
        })
      )

    const reattach = (session: S) =>
      Effect.forEach(
        [...subscriptions],
        (subscription) => Effect.forkIn(reattachOne(session, subscription, true), layerScope),
        { discard: true }
      )

    /** After a loss: subscriptions that asked not to be re-sent fail; the others forget the ended session. */
    const release = (ended: S) =>
      Effect.forEach([...subscriptions], (subscription) => {
        if (subscription.session !== ended) return Effect.void
        subscription.forget()
        if (subscription.resubscribe) return Effect.void
        subscriptions.delete(subscription)
        return subscription.mailbox.fail(new ConnectionLost({ command: subscription.nameOn(ended.info) }))
      }, { discard: true })

    const reconnect = options.reconnect === false ? undefined : options.reconnect ?? defaultReconnectSchedule
    /** Why an open failure ends the session for good, or `undefined` when it is worth another try. */
    const finalReason = (error: OpenError<ProtocolError, ProtocolOpenError> | InvalidOption): string | undefined =>
      protocol.finalReason?.(error as ProtocolOpenError) ??
        ((error as { readonly _tag?: unknown })._tag === "InvalidOption" ? (error as InvalidOption).message : undefined)

    const suspension = new Suspension()
    const supervise = (first: { session: S; scope: Scope.CloseableScope }) =>
      Effect.gen(function*() {
        let current = first
        while (true) {
          yield* current.session.ended.await
          droppedBefore += current.session.dropped
          yield* release(current.session)
          yield* Scope.close(current.scope, Exit.void)
          yield* suspension.hold
          if (reconnect === undefined) {
            return yield* link.closed(new Disconnected({ reason: "the connection was lost and reconnect is off" }))
          }
          yield* link.waiting("reconnecting")
          const next = yield* startSession.pipe(
            Effect.tapError((error) => Effect.logDebug(`${protocol.name}: a reconnect attempt failed`, (error as Error).message)),
            Effect.retry({ schedule: reconnect, while: (error) => finalReason(error) === undefined }),
            Effect.either
          )
          if (next._tag === "Left") {
            const reason = finalReason(next.left) ?? "reconnecting gave up"
            yield* Effect.logWarning(`${protocol.name}: ${reason}; the session is closed`)
            return yield* link.closed(new Disconnected({ reason }))
          }
          current = next.right
          if (suspension.isSuspended) { // suspended while it reconnected: close this one too, then wait
            current.session.end()
            continue
          }
          yield* reattach(current.session)
          yield* link.connected(current.session)
        }
      })

    const first = yield* startSession
    yield* link.connected(first.session)
    yield* Effect.forkIn(supervise(first), layerScope)
    yield* Effect.addFinalizer(() => link.closed(new Disconnected({ reason: "the session was shut down" })))

    const subscribeWith = (
      message: Request | ((info: Info) => Request),
      numbered: boolean,
      subscribeOptions: SubscribeOptions | undefined
    ): Stream.Stream<unknown, Failure> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        const mailbox = yield* Mailbox.make<unknown, Failure>()
        const subscription = new LiveSubscription<Request, Info, ProtocolError, Failure>(
          protocol,
          message,
          mailbox,
          numbered,
          subscribeOptions?.resubscribe !== false,
          subscribeOptions?.whenRefused
        )
        subscriptions.add(subscription)
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => subscriptions.delete(subscription)).pipe(
            Effect.zipRight(subscription.detach(requestTimeout)),
            Effect.ignore
          )
        )
        const name = typeof message === "function" ? "subscribe" : nameOf(message)
        yield* onSession(
          name,
          (session) =>
            // Lost with its session (while writing or awaiting the answer): the supervisor re-attaches it on the
            // next one, or fails it if it asked not to be re-sent.
            Effect.flatMap(subscription.attach(session, requestTimeout), (result) => result).pipe(
              Effect.catchIf(
                (error): error is ConnectionLost => error instanceof ConnectionLost && subscription.resubscribe,
                () => Effect.void
              )
            ),
          requestTimeout
        )
        return Mailbox.toStream(mailbox)
      })) as Stream.Stream<unknown, Failure>

    const reconnected = link.state.changes.pipe(
      Stream.changes,
      Stream.filter((state) => state === "connected"),
      Stream.drop(1),
      Stream.as(undefined)
    )

    return {
      request,
      batch,
      notify,
      sendBinary,
      subscribe: (message, subscribeOptions) => subscribeWith(message, false, subscribeOptions),
      subscribeNumbered: (message, subscribeOptions) =>
        subscribeWith(message, true, subscribeOptions) as Stream.Stream<Attached<unknown>, Failure>,
      info: Effect.map(link.session, (session) => session.info),
      state: link.state.get,
      states: link.state.changes,
      reconnected,
      suspend: suspension.suspend(link),
      resume: suspension.resume,
      dropped: Effect.sync(() => droppedBefore + (link.current?.dropped ?? 0))
    } satisfies LiveSession<Request, Info, ProtocolError>
  })
