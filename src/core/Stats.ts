/**
 * Counters of one client instance, mirrored into Effect `Metric`s (labelled with the instance) for observability.
 */
import * as Metric from "effect/Metric"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import { utf8ByteLength } from "./utf8.js"

/** A snapshot of one client instance's counters since it was created or last reset. */
export interface WebSocketStats {
  readonly connectionsOpened: number
  readonly connectionsClosed: number
  readonly messagesSent: number
  readonly messagesReceived: number
  readonly bytesSent: number
  readonly bytesReceived: number
  /** Operations of this instance that failed with a typed error. */
  readonly errors: number
  readonly activeConnections: number
}

const counter = (name: string) => MetricKey.counter(name, { incremental: true })

// The keys behind the metrics: each recorder looks up its labelled hooks once, instead of on every update (a
// `Metric`'s `unsafeUpdate` finds the hook through a WeakMap and a closure on every call, four times per message).
const keys = {
  connectionsOpened: counter("effect_ws_connections_opened"),
  connectionsClosed: counter("effect_ws_connections_closed"),
  messagesSent: counter("effect_ws_messages_sent"),
  messagesReceived: counter("effect_ws_messages_received"),
  bytesSent: counter("effect_ws_bytes_sent"),
  bytesReceived: counter("effect_ws_bytes_received"),
  errors: counter("effect_ws_errors"),
  activeConnections: MetricKey.gauge("effect_ws_active_connections")
} as const

/** The Effect metrics every client instance updates, labelled `client` with the instance id. */
export const WebSocketMetrics = {
  connectionsOpened: Metric.fromMetricKey(keys.connectionsOpened),
  connectionsClosed: Metric.fromMetricKey(keys.connectionsClosed),
  messagesSent: Metric.fromMetricKey(keys.messagesSent),
  messagesReceived: Metric.fromMetricKey(keys.messagesReceived),
  bytesSent: Metric.fromMetricKey(keys.bytesSent),
  bytesReceived: Metric.fromMetricKey(keys.bytesReceived),
  errors: Metric.fromMetricKey(keys.errors),
  activeConnections: Metric.fromMetricKey(keys.activeConnections)
} as const

/** What a recorder needs of a metric's hook: the update `Metric.unsafeUpdate` would make. */
type Hooks = { readonly [K in keyof typeof keys]: { readonly update: (value: number) => void } }

/** The hooks of one instance's labelled metrics: the ones `WebSocketMetrics` updates, as the registry keeps them. */
const hooksFor = (labels: ReadonlyArray<MetricLabel.MetricLabel>): Hooks => {
  const counterHook = (key: MetricKey.MetricKey.Counter<number>) =>
    Metric.globalMetricRegistry.get(MetricKey.taggedWithLabels(key, labels))
  return {
    connectionsOpened: counterHook(keys.connectionsOpened),
    connectionsClosed: counterHook(keys.connectionsClosed),
    messagesSent: counterHook(keys.messagesSent),
    messagesReceived: counterHook(keys.messagesReceived),
    bytesSent: counterHook(keys.bytesSent),
    bytesReceived: counterHook(keys.bytesReceived),
    errors: counterHook(keys.errors),
    activeConnections: Metric.globalMetricRegistry.get(MetricKey.taggedWithLabels(keys.activeConnections, labels))
  }
}


let nextInstance = 0

/**
 * The mutable counters of one client. Updated synchronously on the hot path; metric counters stay monotonic
 * across `reset` (as metric backends expect) while the snapshot starts again from zero.
 */
export class StatsRecorder {
  private readonly hooks = hooksFor([MetricLabel.make("client", String(++nextInstance))])
  private counts = StatsRecorder.zero()

  /** `textBytes` measures a text frame in UTF-8: the transport's native measure where it has one. */
  constructor(private readonly textBytes: (text: string) => number = utf8ByteLength) {}

  private frameBytes(frame: string | Uint8Array): number {
    return typeof frame === "string" ? this.textBytes(frame) : frame.byteLength
  }

  static zero(): { -readonly [K in keyof WebSocketStats]: number } {
    return {
      connectionsOpened: 0,
      connectionsClosed: 0,
      messagesSent: 0,
      messagesReceived: 0,
      bytesSent: 0,
      bytesReceived: 0,
      errors: 0,
      activeConnections: 0
    }
  }

  opened(): void {
    this.counts.connectionsOpened++
    this.counts.activeConnections++
    this.hooks.connectionsOpened.update(1)
    this.hooks.activeConnections.update(this.counts.activeConnections)
  }

  closed(): void {
    this.counts.connectionsClosed++
    this.counts.activeConnections--
    this.hooks.connectionsClosed.update(1)
    this.hooks.activeConnections.update(this.counts.activeConnections)
  }

  sent(frame: string | Uint8Array): void {
    const bytes = this.frameBytes(frame)
    this.counts.messagesSent++
    this.counts.bytesSent += bytes
    this.hooks.messagesSent.update(1)
    this.hooks.bytesSent.update(bytes)
  }

  received(frame: string | Uint8Array): void {
    const bytes = this.frameBytes(frame)
    this.counts.messagesReceived++
    this.counts.bytesReceived += bytes
    this.hooks.messagesReceived.update(1)
    this.hooks.bytesReceived.update(bytes)
  }

  failed(): void {
    this.counts.errors++
    this.hooks.errors.update(1)
  }

  snapshot(): WebSocketStats {
    return { ...this.counts }
  }

  /** Zeroes the snapshot; active connections must already be closed. */
  reset(): void {
    this.counts = StatsRecorder.zero()
    this.hooks.activeConnections.update(0)
  }
}
