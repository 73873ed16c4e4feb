/**
 * The simulator's command handlers: what HA core's `websocket_api` answers to each authenticated command, over the
 * seeded home. Replies are queued on the client and flushed together, so a result and the events it causes can
 * leave as one coalesced frame.
 */
import type * as Duration from "effect/Duration"
import type * as Fiber from "effect/Fiber"
import type { WebSocket } from "ws"
import { compressState, stateDiff } from "./compress.js"
import { entityFilter } from "../../homeassistant/entityFilter.js"
import { fireStateTrigger, renderTemplate } from "./templates.js"
import { type Home, makeContext, type StateChange } from "./home.js"
import type { AssistDesk } from "./assist.js"
import type { StartupDesk } from "./startup.js"
import { handleScriptCommand } from "./scripts.js"
import { broadcastLiveStreams, removeLiveStream } from "./liveStreams.js"
import { recorderCommands, recorderCommandsSince } from "./recorderCommands.js"

/** One simulated client connection. */
export interface Client {
  readonly id: number
  readonly socket: WebSocket
  authenticated: boolean
  lastId: number
  coalesce: boolean
  readonly subscriptions: Map<number, string | undefined>
  /** `subscribe_entities` subscriptions: id → which entities it carries (its `entity_ids`, `include`, `exclude`). */
  readonly entitySubscriptions: Map<number, (entityId: string) => boolean>
  /** `render_template` subscriptions: id → template. */
  readonly templates: Map<number, string>
  /** `subscribe_trigger` subscriptions: id → its triggers. */
  readonly triggers: Map<number, ReadonlyArray<Readonly<Record<string, unknown>>>>
  /** Trigger subscriptions made while HA was starting: accepted, and never fired (HAWS #555). */
  readonly inertTriggers: Set<number>
  outbox: Array<unknown>
  authTimer: Fiber.RuntimeFiber<void> | undefined
}

/** What the handlers may read and do. */
export interface SimulatorWorld {
  /** The HA release simulated: commands it lacks are `unknown_command`, as that release answers. */
  readonly haVersion: string
  readonly home: Home
  readonly answersPings: () => boolean
  readonly takeEventOnNextSubscribe: () => { readonly event_type: string; readonly data: Record<string, unknown> } | undefined
  readonly reply: (client: Client, messages: ReadonlyArray<unknown>) => void
  readonly enqueue: (client: Client, message: unknown) => void
  readonly clients: () => Iterable<Client>
  readonly flushAll: () => void
  /** The voice commands: conversation, Assist pipelines, signed paths, and the runs' binary audio. */
  readonly assist: AssistDesk
  /** Runs `f` once `delay` has passed on the simulator's (Effect) clock; the function returned cancels it. */
  readonly after: (delay: Duration.Duration, f: () => void) => () => void
  /** HA goes away as a restart (back at once, starting) or a stop (offline until `goOnline`) does. */
  readonly goAway: (stop: boolean) => void
  /** Start-up: integration commands unknown while HA starts, `integration/wait`. */
  readonly startup: StartupDesk
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const result = (id: number, value: unknown = null) => ({ id, type: "result", success: true, result: value })

/** A failed result, as HA core sends it. */
export const error = (id: unknown, code: string, message: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "result",
  success: false,
  error: { code, message, ...extra }
})

/** The release (year, month) that brought each command a supported version may lack. */
const commandSince: Readonly<Record<string, readonly [number, number]>> = {
  ...recorderCommandsSince,
  supported_features: [2022, 9],
  "assist_pipeline/run": [2023, 5],
  "assist_pipeline/pipeline/list": [2023, 5],
  subscribe_entities: [2022, 4],
  "config/entity_registry/list_for_display": [2023, 3],
  "config/floor_registry/list": [2024, 4],
  "config/label_registry/list": [2024, 4],
  execute_script: [2021, 4],
  fire_event: [2022, 2],
  validate_config: [2022, 3],
  // websocket_api/commands.py handle_integration_wait (core PR #142040)
  "integration/wait": [2025, 5]
}

const releasedBefore = (version: string, [year, month]: readonly [number, number]): boolean => {
  const [y = Number.NaN, m = Number.NaN] = version.split(".").map(Number)
  return y < year || (y === year && m < month)
}

/** Answers one authenticated command the way HA core's `websocket_api` handlers do (of the simulated release). */
export const handleCommand = (
  world: SimulatorWorld,
  client: Client,
  id: number,
  type: string,
  message: Record<string, unknown>
): void => {
  const since = commandSince[type]
  if ((since !== undefined && releasedBefore(world.haVersion, since)) || world.startup.refuses(world, type)) {
    return world.reply(client, [error(id, "unknown_command", "Unknown command.")])
  }
  const recorder = recorderCommands[type]
  if (recorder !== undefined) return recorder(world, client, id, message)
  if (world.assist.handles(type)) return world.assist.command(world, client, id, type, message)
  if (type === "integration/wait") return world.startup.wait(world, client, id, message.domain)
  switch (type) {
    case "supported_features": {
      const features = isObject(message.features) ? message.features : {}
      client.coalesce = features.coalesce_messages === 1
      return world.reply(client, [result(id)])
    }
    case "ping":
      if (world.answersPings()) world.reply(client, [{ id, type: "pong" }])
      return
    case "get_states":
      return world.reply(client, [result(id, [...world.home.states.values()])])
    case "get_config":
      return world.reply(client, [result(id, world.home.config)])
    case "get_services":
      return world.reply(client, [result(id, world.home.services)])
    case "auth/current_user":
      return world.reply(client, [result(id, world.home.user)])
    case "config/entity_registry/list_for_display":
      return world.reply(client, [result(id, {
        entity_categories: { "0": "config", "1": "diagnostic" },
        entities: [...world.home.states.keys()].map((ei) => ({ ei, pl: "simulated" }))
      })])
    case "config/entity_registry/list":
      return world.reply(client, [result(id, [
        ...[...world.home.states.keys()].map((entity_id) => ({
          entity_id,
          unique_id: `simulated-${entity_id}`,
          platform: "simulated",
          disabled_by: null,
          area_id: null,
          device_id: null,
          name: null
        })),
        // A disabled entity has a registry entry and no state, as in HA.
        { entity_id: "sensor.old_meter", unique_id: "simulated-old-meter", platform: "simulated", disabled_by: "user", area_id: null, device_id: null, name: null }
      ])])
    case "config/device_registry/list":
      return world.reply(client, [result(id, world.home.devices)])
    case "config/area_registry/list":
      return world.reply(client, [result(id, world.home.areas)])
    case "config/floor_registry/list":
      return world.reply(client, [result(id, world.home.floors)])
    case "config/label_registry/list":
      return world.reply(client, [result(id, world.home.labels)])
    case "subscribe_events": {
      const eventType = typeof message.event_type === "string" ? message.event_type : undefined
      client.subscriptions.set(id, eventType)
      const batch: Array<unknown> = [result(id)]
      const extra = world.takeEventOnNextSubscribe()
      if (extra !== undefined) batch.push(eventMessage(world, id, extra.event_type, extra.data))
      return world.reply(client, batch)
    }
    case "subscribe_entities": {
      const filter = entityFilter(message)
      client.entitySubscriptions.set(id, filter)
      const states = [...world.home.states.values()].filter((state) => filter(state.entity_id))
      const a = Object.fromEntries(states.map((state) => [state.entity_id, compressState(state)]))
      return world.reply(client, [result(id), { id, type: "event", event: { a } }])
    }
    case "render_template": {
      if (typeof message.template !== "string") return world.reply(client, [error(id, "invalid_format", "required key not provided @ data['template']")])
      client.templates.set(id, message.template)
      return world.reply(client, [result(id), { id, type: "event", event: renderTemplate(message.template, world.home.states) }])
    }
    case "subscribe_trigger": {
      const triggers = (Array.isArray(message.trigger) ? message.trigger : [message.trigger]).filter(isObject)
      if (triggers.length === 0) return world.reply(client, [error(id, "invalid_format", "required key not provided @ data['trigger']")])
      client.triggers.set(id, triggers)
      if (world.home.config.state !== "RUNNING") client.inertTriggers.add(id)
      return world.reply(client, [result(id)])
    }
    case "unsubscribe_events": {
      const subscription = message.subscription
      const removed = typeof subscription === "number" &&
        (client.subscriptions.delete(subscription) || client.entitySubscriptions.delete(subscription) ||
          client.templates.delete(subscription) || client.triggers.delete(subscription) ||
          removeLiveStream(client, subscription) || world.assist.unsubscribe(client, subscription))
      if (removed) {
        return world.reply(client, [result(id)])
      }
      return world.reply(client, [error(id, "not_found", "Subscription not found.")])
    }
    case "call_service":
      return callService(world, client, id, message)
    case "execute_script":
    case "fire_event":
    case "validate_config":
    case "test_condition":
      return handleScriptCommand(world, client, id, type, message, { broadcast, broadcastEntityChange })
    default:
      return world.reply(client, [error(id, "unknown_command", "Unknown command.")])
  }
}

/** The service calls HA answers by going away (HA frontend's `serviceCallWillDisconnect`). */
const goesAway = (domain: string, service: string, data: unknown, target: unknown): boolean =>
  (domain === "homeassistant" && (service === "restart" || service === "stop")) ||
  (domain === "update" && service === "install" && [data, target].some((where) =>
    isObject(where) && [where.entity_id].flat().some((entity) =>
      entity === "update.home_assistant_core_update" || entity === "update.home_assistant_operating_system_update")))

const callService = (world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>): void => {
  if (typeof message.domain !== "string" || typeof message.service !== "string") {
    return world.reply(client, [error(id, "invalid_format", "required key not provided @ data['domain']")])
  }
  // Restarting or stopping HA (or installing its update) is answered by going away, never by a result, as HA does.
  if (goesAway(message.domain, message.service, message.service_data, message.target)) return world.goAway(message.service === "stop")
  const context = makeContext("simulated-user")
  const outcome = world.home.callService(
    message.domain,
    message.service,
    isObject(message.service_data) ? message.service_data : {},
    isObject(message.target) ? message.target : {},
    message.return_response === true,
    context
  )
  if (outcome._tag === "Error") {
    return world.reply(client, [error(id, String(outcome.error.code), String(outcome.error.message), outcome.error)])
  }
  // Like HA: the result and the state_changed events it caused go out together (one frame when coalescing).
  world.enqueue(client, result(id, message.return_response === true ? { context, response: outcome.response } : { context }))
  const serviceData = message.service_data ?? {}
  broadcast(world, "call_service", { domain: message.domain, service: message.service, service_data: serviceData }, context)
  for (const change of outcome.changes) {
    broadcast(world, "state_changed", change as StateChange & Record<string, unknown>, context)
    broadcastEntityChange(world, change)
  }
  world.flushAll()
}

/** An `event` message for subscription `id`. */
export const eventMessage = (
  world: SimulatorWorld,
  id: number,
  eventType: string,
  data: Record<string, unknown>,
  context = makeContext()
) => {
  return {
    id,
    type: "event",
    event: {
      event_type: eventType,
      data,
      origin: "LOCAL",
      time_fired: world.home.now(),
      context
    }
  }
}

/** Queues a state change for every `subscribe_entities` subscriber it concerns: an addition, a diff or a removal. */
export const broadcastEntityChange = (world: SimulatorWorld, change: StateChange): void => {
  const { entity_id, old_state, new_state } = change
  const event = new_state === null
    ? { r: [entity_id] }
    : old_state === null
    ? { a: { [entity_id]: compressState(new_state) } }
    : { c: { [entity_id]: stateDiff(old_state, new_state) } }
  broadcastLiveStreams(world, change)
  for (const client of world.clients()) {
    for (const [id, filter] of client.entitySubscriptions) {
      if (filter(entity_id)) world.enqueue(client, { id, type: "event", event })
    }
    // Templates that read this entity render again; matching triggers fire.
    for (const [id, template] of client.templates) {
      const rendered = renderTemplate(template, world.home.states)
      if (!("listeners" in rendered) || rendered.listeners.entities.includes(entity_id)) {
        world.enqueue(client, { id, type: "event", event: rendered })
      }
    }
    for (const [id, triggers] of client.triggers) {
      if (client.inertTriggers.has(id)) continue
      for (const trigger of triggers) {
        const variables = fireStateTrigger(trigger, change)
        if (variables !== undefined) world.enqueue(client, { id, type: "event", event: { variables, context: makeContext() } })
      }
    }
  }
}

/** Queues an event for every subscriber of its type (sent on the next flush). */
export const broadcast = (
  world: SimulatorWorld,
  eventType: string,
  data: Record<string, unknown>,
  context = makeContext()
): void => {
  for (const client of world.clients()) {
    for (const [id, type] of client.subscriptions) {
      if (type === undefined || type === eventType) world.enqueue(client, eventMessage(world, id, eventType, data, context))
    }
  }
}
