/**
 * A TCP proxy for fault tests: it forwards between a client and a target, re-chunking every write into 1-byte
 * pieces (each in its own event-loop turn), and can cut the connection after a chosen number of server bytes past
 * the HTTP handshake.
 */
import { connect, type Socket } from "node:net"
import { tcpServer } from "../core/servers.js"

export interface ProxyOptions {
  readonly targetPort: number
  /** Cut both sides after this many bytes from the server, counted after the end of the HTTP response head. */
  readonly cutAfterServerBytes?: number
}

const trickle = (from: Socket, to: Socket, onByte?: () => boolean) => {
  const queue: Array<number> = []
  let flushing = false
  const flush = () => {
    const byte = queue.shift()
    if (byte === undefined || to.destroyed) {
      flushing = false
      return
    }
    to.write(Buffer.from([byte]))
    if (onByte?.() === false) return
    setImmediate(flush)
  }
  from.on("data", (chunk: Buffer) => {
    for (const byte of chunk) queue.push(byte)
    if (!flushing) {
      flushing = true
      setImmediate(flush)
    }
  })
}

/** Starts the proxy on 127.0.0.1:0; closed with the scope (each upstream socket closes with its client). */
export const chunkingProxy = (options: ProxyOptions) =>
  tcpServer((client) => {
    client.setNoDelay(true)
    const upstream = connect(options.targetPort, "127.0.0.1")
    upstream.setNoDelay(true)
    upstream.on("error", () => undefined)
    client.on("close", () => upstream.destroy())
    upstream.on("close", () => client.destroy())
    // Where the HTTP response head ends (registered first, so it sees each chunk before it is queued).
    let received = ""
    let headLength: number | undefined
    upstream.on("data", (chunk: Buffer) => {
      if (headLength !== undefined) return
      received += chunk.toString("latin1")
      const end = received.indexOf("\r\n\r\n")
      if (end >= 0) headLength = end + 4
    })
    trickle(client, upstream)
    let forwarded = 0
    trickle(upstream, client, () => {
      forwarded++
      const cut = options.cutAfterServerBytes
      if (cut === undefined || headLength === undefined || forwarded - headLength < cut) return true
      client.destroy()
      upstream.destroy()
      return false
    })
  })
