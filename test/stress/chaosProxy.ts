/**
 * A TCP proxy in front of the HA simulator that cuts connections on command, at the moment a test asks for:
 * - `now`: at once;
 * - `afterClientChunk(n)`: right after forwarding the n-th chunk the client writes on a connection (1 is the HTTP
 *   upgrade, 2 the `auth` frame, 3 `supported_features`, later ones the re-subscriptions and commands);
 * - `midFrame`: on the next chunk from the server, forwarding only its first half (a frame cut in two).
 */
import { connect, type Socket } from "node:net"
import { Effect } from "effect"
import { tcpServer } from "../core/servers.js"

/** What the next cut waits for. */
export type Cut = { readonly _tag: "now" } | { readonly _tag: "afterClientChunk"; readonly n: number } | { readonly _tag: "midFrame" }

interface Pair {
  readonly client: Socket
  readonly upstream: Socket
  clientChunks: number
}

/** The proxy: its port, and the cut to arm. */
export interface ChaosProxy {
  readonly port: number
  /** Arms a cut; it happens once, on the first connection that reaches its moment. */
  readonly cut: (cut: Cut) => void
  /** Drops an armed cut that has not happened. */
  readonly disarm: () => void
  /** Whether a cut is armed and has yet to happen. */
  readonly armed: () => boolean
  /** How many cuts have happened, by kind. */
  readonly done: Map<Cut["_tag"], number>
}

/** Starts the proxy on 127.0.0.1:0 forwarding to `targetPort`; closed with the scope. */
export const chaosProxy = (targetPort: number) => {
  const pairs = new Set<Pair>()
  let pending: Cut | undefined
  const done = new Map<Cut["_tag"], number>()
  const count = (tag: Cut["_tag"]) => done.set(tag, (done.get(tag) ?? 0) + 1)
  return Effect.map(tcpServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1")
    const pair: Pair = { client, upstream, clientChunks: 0 }
    pairs.add(pair)
    const drop = (why: string) => () => {
      if (process.env.CHAOS_DEBUG !== undefined && pairs.has(pair)) console.log(`[proxy] drop: ${why}`, Date.now() % 100000)
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    upstream.on("error", drop("upstream error"))
    upstream.on("close", drop("upstream close"))
    client.on("close", drop("client close"))
    client.on("data", (chunk: Buffer) => {
      pair.clientChunks++
      upstream.write(chunk)
      if (pending?._tag === "afterClientChunk" && pair.clientChunks >= pending.n) {
        pending = undefined
        count("afterClientChunk")
        setImmediate(drop("afterClientChunk")) // the chunk has left for the server; its answer never comes back
      }
    })
    upstream.on("data", (chunk: Buffer) => {
      if (pending?._tag === "midFrame" && chunk.length > 1) {
        pending = undefined
        count("midFrame")
        client.write(chunk.subarray(0, chunk.length >> 1), drop("midFrame"))
        return
      }
      client.write(chunk)
    })
  }), ({ port }): ChaosProxy => ({
    port,
    disarm: () => {
      pending = undefined
    },
    armed: () => pending !== undefined,
    done,
    cut: (cut) => {
      if (cut._tag !== "now") return void (pending = cut)
      count("now")
      if (process.env.CHAOS_DEBUG !== undefined) console.log(`[proxy] cut now: ${pairs.size}`, Date.now() % 100000)
      for (const pair of [...pairs]) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
    }
  }))
}
