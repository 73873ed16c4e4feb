/**
 * Counters of one client instance, mirrored into Effect `Metric`s (labelled with the instance) for observability.
 */
import { Metric, MetricLabel } from "effect"

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

/** The Effect metrics every client instance updates, labelled `client` with the instance id. */
export const WebSocketMetrics = {
  connectionsOpened: Metric.counter("effect_ws_connections_opened", { incremental: true }),
  connectionsClosed: Metric.counter("effect_ws_connections_closed", { incremental: true }),
  messagesSent: Metric.counter("effect_ws_messages_sent", { incremental: true }),
  messagesReceived: Metric.counter("effect_ws_messages_received", { incremental: true }),
  bytesSent: Metric.counter("effect_ws_bytes_sent", { incremental: true }),
  bytesReceived: Metric.counter("effect_ws_bytes_received", { incremental: true }),
  errors: Metric.counter("effect_ws_errors", { incremental: true }),
  activeConnections: Metric.gauge("effect_ws_active_connections")
} as const

const frameBytes = (frame: string | Uint8Array): number =>
  typeof frame === "string" ? Buffer.byteLength(frame, "utf8") : frame.byteLength

let nextInstance = 0

/**
 * The mutable counters of one client. Updated synchronously on the hot path; metric counters stay monotonic
 * across `reset` (as metric backends expect) while the snapshot starts again from zero.
 */
export class StatsRecorder {
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  private counts = StatsRecorder.zero()

  constructor() {
    this.labels = [MetricLabel.make("client", String(++nextInstance))]
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
    WebSocketMetrics.connectionsOpened.unsafeUpdate(1, this.labels)
    WebSocketMetrics.activeConnections.unsafeUpdate(this.counts.activeConnections, this.labels)
  }

  closed(): void {
    this.counts.connectionsClosed++
    this.counts.activeConnections--
    WebSocketMetrics.connectionsClosed.unsafeUpdate(1, this.labels)
    WebSocketMetrics.activeConnections.unsafeUpdate(this.counts.activeConnections, this.labels)
  }

  sent(frame: string | Uint8Array): void {
    const bytes = frameBytes(frame)
    this.counts.messagesSent++
    this.counts.bytesSent += bytes
    WebSocketMetrics.messagesSent.unsafeUpdate(1, this.labels)
    WebSocketMetrics.bytesSent.unsafeUpdate(bytes, this.labels)
  }

  received(frame: string | Uint8Array): void {
    const bytes = frameBytes(frame)
    this.counts.messagesReceived++
    this.counts.bytesReceived += bytes
    WebSocketMetrics.messagesReceived.unsafeUpdate(1, this.labels)
    WebSocketMetrics.bytesReceived.unsafeUpdate(bytes, this.labels)
  }

  failed(): void {
    this.counts.errors++
    WebSocketMetrics.errors.unsafeUpdate(1, this.labels)
  }

  snapshot(): WebSocketStats {
    return { ...this.counts }
  }

  /** Zeroes the snapshot; active connections must already be closed. */
  reset(): void {
    this.counts = StatsRecorder.zero()
    WebSocketMetrics.activeConnections.unsafeUpdate(0, this.labels)
  }
}
