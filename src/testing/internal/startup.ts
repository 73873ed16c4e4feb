/**
 * The simulator's start-up, as HA core has it: the WebSocket API answers before the integrations are set up, so while
 * HA is `STARTING` an integration's commands (`history/stream`, `logbook/event_stream`, `assist_pipeline/run`...) are
 * `unknown_command`; `integration/wait` (websocket_api/commands.py, `handle_integration_wait`) answers once the
 * integration is set up, `{ integration_loaded: false }` for one that never will be.
 */
import type { Client, SimulatorWorld } from "./commands.js"

/** The integrations whose commands a starting HA does not know yet (set up after the WebSocket API). */
const LATE_DOMAINS: ReadonlySet<string> = new Set(["history", "logbook", "recorder", "assist_pipeline", "conversation"])

/** Every integration the simulated home has set up once it runs. */
const DOMAINS: ReadonlySet<string> = new Set([...LATE_DOMAINS, "homeassistant", "config", "auth", "websocket_api", "frontend"])

const domainOf = (type: string): string | undefined => {
  const slash = type.indexOf("/")
  return slash > 0 ? type.slice(0, slash) : undefined
}

/** The start-up state of one simulator: who waits for an integration. */
export class StartupDesk {
  private waits: Array<{ readonly client: Client; readonly id: number; readonly domain: string }> = []

  /** Whether a starting HA answers `type` with `unknown_command`. */
  refuses(world: SimulatorWorld, type: string): boolean {
    const domain = domainOf(type)
    return world.home.config.state === "STARTING" && domain !== undefined && LATE_DOMAINS.has(domain)
  }

  /** `integration/wait`: answered now once HA runs, else when it has started. */
  wait(world: SimulatorWorld, client: Client, id: number, domain: unknown): void {
    if (typeof domain !== "string") {
      return world.reply(client, [{ id, type: "result", success: false, error: { code: "invalid_format", message: "required key not provided @ data['domain']" } }])
    }
    if (world.home.config.state === "STARTING" && LATE_DOMAINS.has(domain)) {
      this.waits.push({ client, id, domain })
      return
    }
    world.reply(client, [{ id, type: "result", success: true, result: { integration_loaded: DOMAINS.has(domain) } }])
  }

  /** HA has set its integrations up: every wait is answered (on connections still open). */
  started(world: SimulatorWorld): void {
    const waits = this.waits
    this.waits = []
    for (const { client, domain, id } of waits) {
      if (client.socket.readyState !== client.socket.OPEN) continue
      world.reply(client, [{ id, type: "result", success: true, result: { integration_loaded: DOMAINS.has(domain) } }])
    }
  }
}
