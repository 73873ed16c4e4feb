// The benchmark's Home Assistant echo server, in its own process: it answers like HA's websocket_api and does
// nothing else, so the HA rows measure the clients instead of the simulator (which models the whole home and was
// itself the bottleneck, a full core at ~44 µs per command). Listens on 127.0.0.1:0 and prints its port.
// - auth: `auth_required` → `auth` with `argv[2]` (default "bench-token") → `auth_ok`, else `auth_invalid` and close;
// - `supported_features` with `coalesce_messages: 1` → replies queued in one turn of the event loop leave as one
//   frame holding a JSON array, as HA's writer does (`[msg1,msg2,...]`);
// - `call_service` → a result with a fresh context; `ping` → `pong`; every other command → a null result;
// - `conversation/process` → HA's answer to "turn on the kitchen light"; `assist_pipeline/run` (intent → intent) →
//   a null result, then `run-start`, `intent-start`, `intent-end` with that answer and `run-end`, as HA sends them.
// Frames arriving in one read are handled in one turn, so their replies coalesce exactly like HA's.
import { randomUUID } from "node:crypto"
import { WebSocketServer } from "ws"

const token = process.argv[2] ?? "bench-token"
const haVersion = "2025.11.0"
const server = new WebSocketServer(
  { host: "127.0.0.1", port: 0, path: "/api/websocket", perMessageDeflate: false, clientTracking: false },
  () => process.stdout.write(`${server.address().port}\n`)
)

const conversation = (id) => ({
  response: {
    speech: { plain: { speech: "Turned on the light", extra_data: null } },
    card: {},
    language: "en",
    response_type: "action_done",
    data: { targets: [], success: [{ name: "Kitchen", type: "entity", id: "light.kitchen" }], failed: [] }
  },
  conversation_id: id ?? randomUUID().replaceAll("-", ""),
  continue_conversation: false
})

server.on("connection", (socket) => {
  let authenticated = false
  let coalesce = false
  let queued = []
  const flush = () => {
    const batch = queued
    queued = []
    if (batch.length === 1 || !coalesce) for (const message of batch) socket.send(message)
    else socket.send(`[${batch.join(",")}]`)
  }
  const reply = (message) => {
    if (queued.length === 0) setImmediate(flush)
    queued.push(JSON.stringify(message))
  }
  const result = (id, value) => reply({ id, type: "result", success: true, result: value })

  socket.on("error", () => undefined)
  socket.send(JSON.stringify({ type: "auth_required", ha_version: haVersion }))
  socket.on("message", (data) => {
    let message
    try {
      message = JSON.parse(String(data))
    } catch {
      return socket.close(1003, "invalid JSON")
    }
    if (!authenticated) {
      if (message.type === "auth" && message.access_token === token) {
        authenticated = true
        return reply({ type: "auth_ok", ha_version: haVersion })
      }
      socket.send(JSON.stringify({ type: "auth_invalid", message: "Invalid access token or password" }))
      return socket.close()
    }
    switch (message.type) {
      case "supported_features":
        coalesce = message.features?.coalesce_messages === 1
        return result(message.id, null)
      case "call_service":
        return result(message.id, { context: { id: randomUUID().replaceAll("-", ""), parent_id: null, user_id: "bench" } })
      case "ping":
        return reply({ id: message.id, type: "pong" })
      case "conversation/process":
        return result(message.id, conversation(message.conversation_id))
      case "assist_pipeline/run": {
        result(message.id, null)
        const event = (type, data) => reply({ id: message.id, type: "event", event: { type, data, timestamp: new Date().toISOString() } })
        event("run-start", { pipeline: "bench", language: "en", runner_data: { stt_binary_handler_id: null, timeout: 300 } })
        event("intent-start", { engine: "conversation.home_assistant", language: "en", intent_input: message.input?.text ?? "" })
        event("intent-end", { processed_locally: true, intent_output: conversation(message.conversation_id) })
        return event("run-end", null)
      }
      default:
        return result(message.id, null)
    }
  })
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
