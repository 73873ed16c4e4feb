/**
 * Real servers for integration tests: 127.0.0.1, port 0, closed by the scope that opened them.
 */
import { createServer as createHttpsServer } from "node:https"
import type { Duplex } from "node:stream"
import type { TLSSocket } from "node:tls"
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server as HttpServer } from "node:http"
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net"
import type { AddressInfo } from "node:net"
import { Deferred, Effect, Exit, Queue } from "effect"
import { type WebSocket, WebSocketServer, type ServerOptions } from "ws"

const portOf = (server: { address(): AddressInfo | string | null }): number => (server.address() as AddressInfo).port

const listen = <S extends HttpServer | TcpServer>(server: S) =>
  Effect.async<S>((resume) => {
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  })

const closeServer = (server: HttpServer | TcpServer, sockets: Set<Socket>) =>
  Effect.async<void>((resume) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resume(Effect.void))
  })

/** A raw TCP server whose connections are handed to `onConnection`; destroyed with the scope. */
export const tcpServer = (onConnection: (socket: Socket) => void) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const sockets = new Set<Socket>()
      const server = createTcpServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => undefined)
        onConnection(socket)
      })
      return Effect.map(listen(server), () => ({ server, sockets, port: portOf(server) }))
    }),
    ({ server, sockets }) => closeServer(server, sockets)
  )

/** An HTTP server that answers every request, upgrade or not, with `status`. */
export const httpServer = (status: number) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const sockets = new Set<Socket>()
      const server = createHttpServer((_request, response) => {
        response.writeHead(status).end("no")
      })
      server.on("connection", (socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
      })
      return Effect.map(listen(server), () => ({ server, sockets, port: portOf(server) }))
    }),
    ({ server, sockets }) => closeServer(server, sockets)
  )

/** One server-side connection of `wsServer`: its socket, handshake headers, what it received, how it closed. */
export interface ServerSide {
  readonly socket: WebSocket
  readonly headers: IncomingHttpHeaders
  readonly received: Queue.Queue<{ readonly data: Buffer; readonly isBinary: boolean }>
  readonly closed: Deferred.Deferred<{ readonly code: number; readonly reason: string }>
}

/**
 * A `ws` server; each accepted connection is offered on `connections`. Closing the scope terminates every
 * connection and closes the server.
 */
export const wsServer = (options: Omit<ServerOptions, "port" | "host" | "server"> = {}) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const connections = yield* Queue.unbounded<ServerSide>()
      const server = yield* Effect.async<WebSocketServer>((resume) => {
        const server: WebSocketServer = new WebSocketServer({ ...options, host: "127.0.0.1", port: 0 }, () =>
          resume(Effect.succeed(server)))
      })
      server.on("connection", (socket, request) => {
        const received = Effect.runSync(Queue.unbounded<{ readonly data: Buffer; readonly isBinary: boolean }>())
        const closed = Effect.runSync(Deferred.make<{ readonly code: number; readonly reason: string }>())
        socket.on("error", () => undefined)
        socket.on("message", (data, isBinary) => Queue.unsafeOffer(received, { data: data as Buffer, isBinary }))
        socket.on("close", (code, reason) => Deferred.unsafeDone(closed, Exit.succeed({ code, reason: reason.toString() })))
        Queue.unsafeOffer(connections, { socket, headers: request.headers, received, closed })
      })
      const port = portOf(server)
      return { server, connections, port, url: `ws://127.0.0.1:${port}` }
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resume(Effect.void))
      })
  )

/** A TLS WebSocket server on 127.0.0.1 with the given key and certificate (PEM); closed with the scope. */
/**
 * A `wss:` server with the given certificate. With `clientCa` it requires a client certificate issued by (or equal
 * to) it; `clientNames` lists the common name of each accepted client's certificate.
 */
export const wssServer = (tls: { readonly key: string; readonly cert: string; readonly clientCa?: string }) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const sockets = new Set<Duplex>()
      const clientNames: Array<string> = []
      const https = createHttpsServer({
        key: tls.key,
        cert: tls.cert,
        ...(tls.clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: true, ca: tls.clientCa })
      })
      https.on("connection", (socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
      })
      https.on("tlsClientError", () => undefined)
      const server = new WebSocketServer({ server: https })
      server.on("connection", (socket, request) => {
        socket.on("error", () => undefined)
        const peer = (request.socket as TLSSocket).getPeerCertificate()
        if (typeof peer.subject?.CN === "string") clientNames.push(peer.subject.CN)
      })
      yield* listen(https as unknown as HttpServer)
      const port = portOf(https)
      return { https, server, sockets, port, url: `wss://127.0.0.1:${port}/`, clientNames }
    }),
    ({ https, server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const client of server.clients) client.terminate()
        server.close()
        for (const socket of sockets) socket.destroy()
        https.close(() => resume(Effect.void))
      })
  )

/** Sends `messages` from the server side and completes once `ws` has written every one. */
export const sendAll = (socket: WebSocket, messages: ReadonlyArray<string>) =>
  Effect.async<void, Error>((resume) => {
    if (messages.length === 0) return resume(Effect.void)
    messages.forEach((message, i) =>
      socket.send(message, (error) => {
        if (error) resume(Effect.fail(error))
        else if (i === messages.length - 1) resume(Effect.void)
      })
    )
  })
