/**
 * A hand-made WebSocket server over `net`: it completes the opening handshake itself, then writes whatever bytes a
 * test gives it, and decodes the (masked) frames the client sends back — enough to break the protocol on purpose.
 */
import { createHash } from "node:crypto"
import type { Socket } from "node:net"
import { Deferred, Exit, FiberId } from "effect"
import { tcpServer } from "../core/servers.js"

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/** What the client sent on a raw connection, frame by frame. */
export interface ClientFrame {
  readonly opcode: number
  readonly payload: Buffer
}

/** A frame header + payload, unmasked (servers do not mask). `first` is the whole first byte (FIN, RSV, opcode). */
export const frame = (first: number, payload: Buffer | string): Buffer => {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload
  const length = body.length
  const header = length < 126
    ? Buffer.from([first, length])
    : length < 65536
    ? Buffer.from([first, 126, length >> 8, length & 255])
    : Buffer.concat([Buffer.from([first, 127]), (() => {
      const b = Buffer.alloc(8)
      b.writeBigUInt64BE(BigInt(length))
      return b
    })()])
  return Buffer.concat([header, body])
}

/** Decodes complete masked client frames from `buffer`; returns the frames and the unread rest. */
const decodeClientFrames = (buffer: Buffer): { frames: Array<ClientFrame>; rest: Buffer } => {
  const frames: Array<ClientFrame> = []
  let offset = 0
  while (buffer.length - offset >= 6) {
    const opcode = (buffer[offset] as number) & 0x0f
    let length = (buffer[offset + 1] as number) & 0x7f
    let cursor = offset + 2
    if (length === 126) {
      if (buffer.length - cursor < 2) break
      length = buffer.readUInt16BE(cursor)
      cursor += 2
    } else if (length === 127) {
      if (buffer.length - cursor < 8) break
      length = Number(buffer.readBigUInt64BE(cursor))
      cursor += 8
    }
    if (buffer.length - cursor < 4 + length) break
    const mask = buffer.subarray(cursor, cursor + 4)
    const payload = Buffer.from(buffer.subarray(cursor + 4, cursor + 4 + length))
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number)
    frames.push({ opcode, payload })
    offset = cursor + 4 + length
  }
  return { frames, rest: buffer.subarray(offset) }
}

/** One raw connection after the handshake. */
export interface RawConnection {
  readonly socket: Socket
  /** Frames the client has sent so far. */
  readonly frames: Array<ClientFrame>
  /** The close code the client sent, once it sent a close frame. */
  readonly closeCode: Deferred.Deferred<number>
}

/** Starts a raw server on 127.0.0.1:0; `onOpen` runs after each handshake. Closed with the scope. */
export const rawServer = (onOpen: (connection: RawConnection) => void, respond?: (key: string) => string) =>
  tcpServer((socket) => {
    let head: Buffer = Buffer.alloc(0)
    let open: RawConnection | undefined
    let pending: Buffer = Buffer.alloc(0)
    socket.on("data", (chunk) => {
      if (open === undefined) {
        head = Buffer.concat([head, chunk])
        const end = head.indexOf("\r\n\r\n")
        if (end < 0) return
        const key = /sec-websocket-key: *(.+)\r\n/i.exec(head.subarray(0, end).toString())?.[1]?.trim() ?? ""
        const accept = createHash("sha1").update(key + GUID).digest("base64")
        socket.write(
          respond?.(key) ??
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`
        )
        open = { socket, frames: [], closeCode: Deferred.unsafeMake(FiberId.none) }
        pending = head.subarray(end + 4)
        onOpen(open)
      } else {
        pending = Buffer.concat([pending, chunk])
      }
      const { frames, rest } = decodeClientFrames(pending)
      pending = rest
      for (const f of frames) {
        open.frames.push(f)
        if (f.opcode === 8) {
          Deferred.unsafeDone(open.closeCode, Exit.succeed(f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005))
          // Complete the close handshake like any server would, then end the TCP connection.
          socket.end(frame(0x88, f.payload.subarray(0, 2)))
        }
      }
    })
  })
