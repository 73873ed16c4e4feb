/**
 * An in-memory echo transport for the CPU-only rows: every frame sent comes back as the next inbound message, one
 * microtask later. No socket, no event loop turn: what is left is the client's own CPU per operation.
 */
import { Layer } from "effect"
import { fullCapabilities, WebSocketTransport } from "../../src/core/Transport.js"

/** The echo transport as a Layer. */
export const EchoTransport = Layer.succeed(WebSocketTransport, {
  name: "in-memory echo",
  capabilities: fullCapabilities,
  open: (_request, events) => {
    let open = true
    queueMicrotask(() => events.onOpen(""))
    const closeWith = (code: number, reason: string) => {
      if (!open) return
      open = false
      queueMicrotask(() => events.onClose(code, reason))
    }
    return {
      send: (frame) => {
        queueMicrotask(() => {
          if (open) events.onMessage(frame)
        })
        return "written"
      },
      ping: () => queueMicrotask(() => events.onPong()),
      close: closeWith,
      terminate: () => closeWith(1006, ""),
      pause: () => undefined,
      resume: () => undefined
    }
  }
})
