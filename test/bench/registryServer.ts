/**
 * The large-install workload's Home Assistant, in its own process so the clients' CPU is theirs alone: a home of
 * `argv[2]` entities (entityFrames.ts's seeded home) with its entity registry, answering like HA's websocket_api.
 * Prints its port. Besides `auth`, `supported_features` (coalescing), `subscribe_entities`, `subscribe_events`,
 * `unsubscribe_events`, `ping` and `config/entity_registry/list_for_display` (counted), two bench commands:
 * - `bench/burst` `{ count }`: fires `count` `entity_registry_updated` events, 50 per event-loop turn as HA's writer
 *   would send a reload's worth; the last one comes with a change (a new entry, `marker`), so a client whose registry
 *   holds it fetched after the burst. Answers `{ marker }` after the last event. Fetches are counted from here.
 * - `bench/stats`: `{ fetches, quietMs }`, the fetches since the burst began and the ms since the later of the last
 *   fetch and the burst's end.
 */
import { WebSocketServer } from "ws"
import { recordFrames } from "./entityFrames.js"

const entities = Number(process.argv[2] ?? "5000")
const TOKEN = "bench-token"
const HA_VERSION = "2026.1.2"
const CHUNK = 50
const LARGE = 64 * 1024

const { frames, final } = recordFrames(entities, 0)
const snapshot = JSON.stringify((JSON.parse(frames[0] as string) as { event: unknown }).event)
const registry: Array<Record<string, unknown>> = final.map((state, i) => ({
  ei: state.entity_id,
  di: `device_${Math.floor(i / 4)}`,
  pl: "bench",
  ...(i % 3 === 0 ? { en: `Entity ${i}` } : {}),
  ...(i % 10 === 0 ? { ec: 1 } : {}),
  lb: []
}))
let registryJson: string | undefined
const registryText = () =>
  (registryJson ??= JSON.stringify({ entity_categories: { "0": "config", "1": "diagnostic" }, entities: registry }))

let fetches = 0
let lastActivity = performance.now()
let bursts = 0

const server: WebSocketServer = new WebSocketServer(
  { host: "127.0.0.1", port: 0, path: "/api/websocket", perMessageDeflate: false, clientTracking: false },
  () => process.stdout.write(`${(server.address() as { port: number }).port}\n`)
)

server.on("connection", (socket) => {
  let authenticated = false
  let coalesce = false
  let queued: Array<string> = []
  const subscriptions = new Map<number, string | undefined>()
  const flush = () => {
    if (queued.length === 0) return
    const batch = queued
    queued = []
    if (batch.length === 1 || !coalesce) for (const message of batch) socket.send(message)
    else socket.send(`[${batch.join(",")}]`)
  }
  const send = (text: string) => {
    // A registry result (~0.5 MB) leaves in a frame of its own: 1,200 of them coalesced would pass ws's 100 MiB limit.
    if (text.length > LARGE) {
      flush()
      return socket.send(text)
    }
    if (queued.length === 0) setImmediate(flush)
    queued.push(text)
  }
  const result = (id: number, value: unknown) => send(JSON.stringify({ id, type: "result", success: true, result: value }))
  const fire = (eventType: string, data: unknown) => {
    const event = JSON.stringify({
      event_type: eventType,
      data,
      origin: "LOCAL",
      time_fired: new Date().toISOString(),
      context: { id: "01BENCH0000000000000000000", parent_id: null, user_id: null }
    })
    for (const [id, type] of subscriptions) if (type === undefined || type === eventType) send(`{"id":${id},"type":"event","event":${event}}`)
  }
  const burst = (id: number, count: number) => {
    fetches = 0
    const marker = `sensor.registry_burst_${++bursts}`
    let sent = 0
    const step = () => {
      for (const end = Math.min(count, sent + CHUNK); sent < end; sent++) {
        if (sent === count - 1) {
          registry.push({ ei: marker, pl: "bench", lb: [] })
          registryJson = undefined
        }
        const entry = registry[sent % entities] as { ei: string }
        fire("entity_registry_updated", { action: "update", entity_id: entry.ei, changes: { name: null } })
      }
      if (sent < count) return setImmediate(step)
      lastActivity = performance.now()
      result(id, { marker })
    }
    step()
  }

  socket.on("error", () => undefined)
  socket.send(JSON.stringify({ type: "auth_required", ha_version: HA_VERSION }))
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id: number; type: string; [key: string]: unknown }
    if (!authenticated) {
      authenticated = message.type === "auth" && message.access_token === TOKEN
      if (authenticated) return socket.send(JSON.stringify({ type: "auth_ok", ha_version: HA_VERSION }))
      socket.send(JSON.stringify({ type: "auth_invalid", message: "Invalid access token or password" }))
      return socket.close()
    }
    switch (message.type) {
      case "supported_features":
        coalesce = (message.features as { coalesce_messages?: number } | undefined)?.coalesce_messages === 1
        return result(message.id, null)
      case "ping":
        return send(JSON.stringify({ id: message.id, type: "pong" }))
      case "subscribe_entities":
        result(message.id, null)
        return send(`{"id":${message.id},"type":"event","event":${snapshot}}`)
      case "subscribe_events":
        subscriptions.set(message.id, typeof message.event_type === "string" ? message.event_type : undefined)
        return result(message.id, null)
      case "unsubscribe_events":
        subscriptions.delete(message.subscription as number)
        return result(message.id, null)
      case "config/entity_registry/list_for_display":
        fetches++
        lastActivity = performance.now()
        return send(`{"id":${message.id},"type":"result","success":true,"result":${registryText()}}`)
      case "bench/burst":
        return burst(message.id, Number(message.count))
      case "bench/stats":
        return result(message.id, { fetches, quietMs: performance.now() - lastActivity })
      default:
        return result(message.id, null)
    }
  })
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
