/**
 * One large-install contender in its own process, against registryServer.ts on `argv[3]`: subscribes to every entity
 * and to the entity registry, then has the server fire a burst of `argv[4]` `entity_registry_updated` events and
 * waits until no fetch has happened for a second; `argv[5]` bursts in all (default 6). Prints one JSON line:
 * { setupCpuMs, firstCpuMs, burstCpuMs, fetches, firstFetches, fresh, entities }: `burstCpuMs` and `fetches` are the
 * medians of the bursts after the first, and `fresh` that after each of them the client's registry had the burst's
 * last change.
 * - `ours`: `ha.entities` and `ha.entityRegistry` (refreshes debounced 500 ms after the last event, the default);
 * - `haws`: HAWS `subscribeEntities` and a `getCollection` of `config/entity_registry/list_for_display` refreshed on
 *   `entity_registry_updated` through the frontend's `debounce(fetch, 500, true)` (src/data/ws-entity_registry_display.ts
 *   before `subscribe_for_display`; its debounce fires on the leading edge only);
 * - `haws-each`: the same collection refetched on every event, as a collection without a debounce does.
 */
import { Context, Effect, Exit, Layer, Scope, Stream } from "effect"
import { type Connection, createConnection, createLongLivedTokenAuth, getCollection, subscribeEntities } from "home-assistant-js-websocket"
import WebSocket from "ws"
import { HomeAssistant, HomeAssistantLayer, WebSocketClientLive } from "../../src/index.js"

const [contender = "ours", port = "0", countText = "1200", burstsText = "6"] = process.argv.slice(2)
const url = `http://127.0.0.1:${port}`
const count = Number(countText)
const bursts = Math.max(2, Number(burstsText))
const QUIET_MS = 1000

interface Registry {
  readonly entities: ReadonlyArray<{ readonly ei: string }>
}
interface Stats {
  readonly fetches: number
  readonly quietMs: number
}
/** What a contender offers the measurement: its latest values and a way to send the bench commands. */
interface Client {
  readonly registry: () => Registry | undefined
  readonly entityCount: () => number
  readonly send: (message: { readonly type: string; readonly [key: string]: unknown }) => Promise<unknown>
  readonly close: () => Promise<void>
}

const cpuUsed = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const ours = async (): Promise<Client> => {
  let registry: Registry | undefined
  let entities: Record<string, unknown> = {}
  const scope = Effect.runSync(Scope.make())
  const ha = await Effect.runPromise(Effect.gen(function*() {
    const context = yield* Layer.buildWithScope(
      HomeAssistantLayer({ url, accessToken: "bench-token", heartbeat: false }).pipe(Layer.provide(WebSocketClientLive)),
      scope
    )
    const client = Context.get(context, HomeAssistant)
    yield* Effect.forkIn(Stream.runForEach(client.entityRegistry, (r) => Effect.sync(() => (registry = r))), scope)
    yield* Effect.forkIn(Stream.runForEach(client.entities, (m) => Effect.sync(() => (entities = m))), scope)
    return client
  }))
  return {
    registry: () => registry,
    entityCount: () => Object.keys(entities).length,
    send: (message) => Effect.runPromise(ha.sendMessage(message)),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** The HA frontend's debounce (src/common/util/debounce.ts): with `immediate`, the leading edge only. */
const frontendDebounce = (func: () => void, wait: number, immediate: boolean) => {
  let timeout: ReturnType<typeof setTimeout> | undefined
  return () => {
    const callNow = immediate && timeout === undefined
    clearTimeout(timeout)
    timeout = setTimeout(() => {
      timeout = undefined
      if (!immediate) func()
    }, wait)
    if (callNow) func()
  }
}

const haws = (debounced: boolean) => async (): Promise<Client> => {
  ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
  const connection = await createConnection({ auth: createLongLivedTokenAuth(url, "bench-token") })
  let registry: Registry | undefined
  let entities: Record<string, unknown> = {}
  const fetchRegistry = (conn: Connection) => conn.sendMessagePromise<Registry>({ type: "config/entity_registry/list_for_display" })
  const collection = getCollection<Registry>(connection, "_entityRegistryDisplay", fetchRegistry, (conn, store) => {
    const refresh = () => void fetchRegistry(conn).then((fetched) => store.setState(fetched, true))
    return conn.subscribeEvents(debounced ? frontendDebounce(refresh, 500, true) : refresh, "entity_registry_updated")
  })
  collection.subscribe((r) => (registry = r))
  subscribeEntities(connection, (m) => (entities = m))
  return {
    registry: () => registry,
    entityCount: () => Object.keys(entities).length,
    send: (message) => connection.sendMessagePromise(message),
    close: async () => connection.close()
  }
}

/** One burst: CPU from asking for it until no fetch has happened for QUIET_MS, the fetches it caused, and freshness. */
const measureBurst = async (client: Client) => {
  // From a collected heap, so no burst pays for the garbage of what came before it.
  ;(globalThis as { gc?: () => void }).gc?.()
  const start = process.cpuUsage()
  const { marker } = (await client.send({ type: "bench/burst", count })) as { marker: string }
  let stats: Stats = { fetches: 0, quietMs: 0 }
  while (stats.quietMs < QUIET_MS) {
    await sleep(100)
    stats = (await client.send({ type: "bench/stats" })) as Stats
  }
  const cpuMs = cpuUsed(start)
  return { cpuMs, fetches: stats.fetches, fresh: client.registry()?.entities.some((entry) => entry.ei === marker) ?? false }
}

const main = async () => {
  const make = contender === "ours" ? ours : haws(contender === "haws")
  const setup = process.cpuUsage()
  const client = await make()
  while (client.registry() === undefined || client.entityCount() === 0) await sleep(5)
  const setupCpuMs = cpuUsed(setup)
  const entities = client.entityCount()
  await client.send({ type: "bench/stats" }) // every subscription is in place at the server
  // The first burst finds code V8 has not optimised yet; the later ones show the steady cost of a running app.
  const first = await measureBurst(client)
  const warm: Array<Awaited<ReturnType<typeof measureBurst>>> = []
  for (let i = 1; i < bursts; i++) warm.push(await measureBurst(client))
  await client.close()
  const middle = <A>(values: ReadonlyArray<A>, key: (a: A) => number) => values.map(key).sort((a, b) => a - b)[values.length >> 1] as number
  console.log(JSON.stringify({
    setupCpuMs,
    firstCpuMs: first.cpuMs,
    burstCpuMs: middle(warm, (b) => b.cpuMs),
    fetches: middle(warm, (b) => b.fetches),
    firstFetches: first.fetches,
    fresh: warm.every((b) => b.fresh),
    entities
  }))
  process.exit(0)
}

void main()
