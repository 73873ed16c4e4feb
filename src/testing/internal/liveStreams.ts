/**
 * The simulator's recorder subscriptions (`history/stream`, `logbook/event_stream`): each turns a state change into
 * the event it sends, or none. Kept beside the client, so the shared `Client` shape does not grow.
 */
import type { Client, SimulatorWorld } from "./commands.js"
import type { StateChange } from "./home.js"

/** What a subscription sends for a state change; `undefined`: nothing. */
export type LiveStream = (change: StateChange) => unknown

const streams = new WeakMap<Client, Map<number, LiveStream>>()

/** Registers subscription `id` of `client`. */
export const addLiveStream = (client: Client, id: number, stream: LiveStream): void => {
  let mine = streams.get(client)
  if (mine === undefined) streams.set(client, mine = new Map())
  mine.set(id, stream)
}

/** Ends subscription `id` of `client`; `false` when it had none. */
export const removeLiveStream = (client: Client, id: number): boolean => streams.get(client)?.delete(id) ?? false

/** The recorder subscriptions `client` holds. */
export const liveStreamCount = (client: Client): number => streams.get(client)?.size ?? 0

/** Queues, for each recorder subscription, the event `change` makes (sent on the next flush). */
export const broadcastLiveStreams = (world: SimulatorWorld, change: StateChange): void => {
  for (const client of world.clients()) {
    for (const [id, stream] of streams.get(client) ?? []) {
      const event = stream(change)
      if (event !== undefined) world.enqueue(client, { id, type: "event", event })
    }
  }
}
