/**
 * The simulator's connections: each client's handshake (`auth_required` → `auth` → `auth_ok`, with HA's auth
 * timeout), its command framing and id checks, and its outbox, flushed as HA's coalescing sends it.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { bytesOf } from "./assist.js"
import { isIssued, type TokenIssuer } from "./authToken.js"
import { type Client, error, handleCommand, isObject, type SimulatorWorld } from "./commands.js"
import type { Listener } from "./server.js"

/** One command as the simulator received it (after authentication). */
export interface ReceivedCommand {
  readonly connection: number
  readonly message: Readonly<Record<string, unknown>>
}

/** What the wire needs of its simulator. */
export interface WireHost {
  readonly haVersion: string
  readonly authTimeout: Duration.Duration
  readonly issuer: TokenIssuer
  readonly millis: () => number
  readonly run: <A>(effect: Effect.Effect<A>) => Fiber.RuntimeFiber<A>
  readonly world: () => SimulatorWorld
}

/** Every client connection of one simulator, and the settings its controls change. */
export class Wire {
  readonly clients = new Set<Client>()
  readonly received: Array<ReceivedCommand> = []
  readonly closes: Array<{ readonly connection: number; readonly code: number; readonly reason: string }> = []
  accepted = 0
  token: string
  replyDelay: Duration.Duration = Duration.zero
  answerAuth = true

  constructor(private readonly host: WireHost, token: string) {
    this.token = token
  }

  accept(listener: Listener): void {
    listener.wss.on("connection", (socket) => {
      const client: Client = {
        id: ++this.accepted,
        socket,
        authenticated: false,
        lastId: 0,
        coalesce: false,
        subscriptions: new Map(),
        entitySubscriptions: new Map(),
        templates: new Map(),
        triggers: new Map(),
        inertTriggers: new Set(),
        outbox: [],
        authTimer: undefined
      }
      this.clients.add(client)
      socket.on("error", () => undefined)
      socket.on("close", (code, reason) => {
        this.closes.push({ connection: client.id, code, reason: reason.toString() })
        this.clients.delete(client)
        this.stopAuthTimer(client)
      })
      socket.on("message", (data, isBinary) => {
        // Binary frames are an Assist run's audio, for its handler (before authentication, nothing).
        if (!isBinary) this.receive(client, data.toString())
        else if (client.authenticated) this.host.world().assist.binary(this.host.world(), client, bytesOf(data))
      })
      socket.send(JSON.stringify({ type: "auth_required", ha_version: this.host.haVersion }))
      // Like HA: a client that has not authenticated within the auth timeout is disconnected.
      client.authTimer = this.host.run(Effect.sleep(this.host.authTimeout).pipe(
        Effect.zipRight(Effect.sync(() => {
          if (!client.authenticated) socket.close()
        }))
      ))
    })
  }

  private stopAuthTimer(client: Client): void {
    const timer = client.authTimer
    client.authTimer = undefined
    if (timer !== undefined) this.host.run(Fiber.interrupt(timer))
  }

  private receive(client: Client, text: string): void {
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch {
      message = undefined
    }
    if (!client.authenticated) return this.authenticate(client, message)
    // A coalesced frame from a client is not part of the protocol; each frame is one message.
    if (!isObject(message) || typeof message.id !== "number" || !Number.isInteger(message.id) || typeof message.type !== "string") {
      this.reply(client, [error(isObject(message) ? message.id ?? null : null, "invalid_format", "Message incorrectly formatted.")])
      return
    }
    this.received.push({ connection: client.id, message })
    if (message.id <= client.lastId) {
      this.reply(client, [error(message.id, "id_reuse", "Identifier values have to increase.")])
      return
    }
    client.lastId = message.id
    handleCommand(this.host.world(), client, message.id, message.type, message)
  }

  private authenticate(client: Client, message: unknown): void {
    if (!this.answerAuth) return
    if (!isObject(message) || message.type !== "auth" || typeof message.access_token !== "string") {
      client.socket.send(JSON.stringify({ type: "auth_invalid", message: "Auth message incorrectly formatted" }))
      client.socket.close()
      return
    }
    if (message.access_token !== this.token && !isIssued(this.host.issuer, message.access_token, this.host.millis())) {
      client.socket.send(JSON.stringify({ type: "auth_invalid", message: "Invalid access token or password" }))
      client.socket.close()
      return
    }
    client.authenticated = true
    this.stopAuthTimer(client)
    client.socket.send(JSON.stringify({ type: "auth_ok", ha_version: this.host.haVersion }))
  }

  reply(client: Client, messages: ReadonlyArray<unknown>): void {
    for (const message of messages) this.enqueue(client, message)
    this.flush(client)
  }

  enqueue(client: Client, message: unknown): void {
    client.outbox.push(message)
  }

  flushAll(): void {
    for (const client of this.clients) this.flush(client)
  }

  private flush(client: Client): void {
    const batch = client.outbox
    if (batch.length === 0) return
    client.outbox = []
    const frames = client.coalesce ? [batch.length === 1 ? batch[0] : batch] : batch
    const send = Effect.sync(() => {
      for (const frame of frames) if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(frame))
    })
    if (Duration.isZero(this.replyDelay)) Effect.runSync(send)
    else if (Duration.isFinite(this.replyDelay)) this.host.run(Effect.zipRight(Effect.sleep(this.replyDelay), send))
  }
}
