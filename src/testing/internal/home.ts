/**
 * The simulator's small seeded home: entity states, config and services, and what a service call does to them.
 */
import type { HassContext, HassEntity } from "../../homeassistant/messages.js"
import { RecordedStates } from "./recorder.js"

/** A state change the simulator broadcasts as `state_changed`. */
export interface StateChange {
  readonly entity_id: string
  readonly old_state: HassEntity | null
  /** `null` when the entity was removed. */
  readonly new_state: HassEntity | null
}

/** The outcome of a service call: state changes, an optional response, or HA's error. */
export type ServiceOutcome =
  | { readonly _tag: "Done"; readonly changes: ReadonlyArray<StateChange>; readonly response?: unknown }
  | { readonly _tag: "Error"; readonly error: Record<string, unknown> }

let nextContext = 0

/** A context id in HA's ULID-like shape (26 characters). */
export const makeContext = (userId: string | null = null): HassContext => ({
  id: `01SIM${String(++nextContext).padStart(21, "0")}`,
  parent_id: null,
  user_id: userId
})

const SEED: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
  ["light.living_room", "off", { friendly_name: "Living Room", supported_color_modes: ["brightness"], brightness: null }],
  ["light.kitchen", "on", { friendly_name: "Kitchen", supported_color_modes: ["brightness"], brightness: 180 }],
  ["light.bedroom", "off", { friendly_name: "Bedroom", supported_color_modes: ["brightness"], brightness: null }],
  ["switch.coffee_maker", "off", { friendly_name: "Coffee Maker" }],
  ["sensor.outdoor_temperature", "11.5", {
    friendly_name: "Outdoor Temperature",
    unit_of_measurement: "°C",
    device_class: "temperature",
    state_class: "measurement"
  }],
  ["weather.home", "cloudy", { friendly_name: "Home", temperature: 11.5, temperature_unit: "°C" }]
]

const TOGGLEABLE = new Set(["light", "switch"])

/** The services the seeded home offers, as `get_services` describes them. */
export const SERVICES = {
  homeassistant: {
    turn_on: { fields: {}, target: {} },
    turn_off: { fields: {}, target: {} },
    restart: { fields: {} },
    stop: { fields: {} }
  },
  light: {
    turn_on: { fields: { brightness: { selector: { number: { min: 0, max: 255 } } } }, target: { entity: [{ domain: ["light"] }] } },
    turn_off: { fields: {}, target: { entity: [{ domain: ["light"] }] } },
    toggle: { fields: {}, target: { entity: [{ domain: ["light"] }] } }
  },
  switch: {
    turn_on: { fields: {}, target: { entity: [{ domain: ["switch"] }] } },
    turn_off: { fields: {}, target: { entity: [{ domain: ["switch"] }] } },
    toggle: { fields: {}, target: { entity: [{ domain: ["switch"] }] } }
  },
  weather: { get_forecasts: { fields: { type: { required: true } }, target: {}, response: { optional: false } } }
} as const

/** The seeded home's `get_config`. */
export const CONFIG = {
  latitude: 52.37,
  longitude: 4.89,
  elevation: 0,
  unit_system: { length: "km", mass: "g", temperature: "°C", volume: "L" },
  location_name: "Simulated Home",
  time_zone: "Europe/Amsterdam",
  components: ["light", "switch", "sensor", "weather", "websocket_api"],
  version: "2026.1.2",
  state: "RUNNING"
} as const

const entityIds = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []

/** The mutable state of the simulated home. */
export class Home {
  /** The current states; they remember each state they were given (the simulated recorder). */
  readonly states = new RecordedStates()
  /** `get_config`, changed by the simulator's `updateConfig`. */
  config: Readonly<Record<string, unknown>> = CONFIG
  /** `get_services`, extended by the simulator's `registerService`. */
  services: Readonly<Record<string, Readonly<Record<string, unknown>>>> = SERVICES
  /** The area registry, extended by the simulator's `addArea`. */
  areas: ReadonlyArray<{ readonly area_id: string; readonly name: string }> = [
    { area_id: "kitchen", name: "Kitchen" },
    { area_id: "living_room", name: "Living Room" }
  ]
  /** The floor registry (HA 2024.4+), extended by the simulator's `addFloor`. */
  floors: ReadonlyArray<{ readonly floor_id: string; readonly name: string; readonly level: number | null }> = [
    { floor_id: "ground_floor", name: "Ground floor", level: 0 }
  ]
  /** The label registry (HA 2024.4+), extended by the simulator's `addLabel`. */
  labels: ReadonlyArray<{ readonly label_id: string; readonly name: string; readonly color: string | null }> = [
    { label_id: "energy", name: "Energy", color: "green" }
  ]
  /** The device registry. */
  readonly devices = [
    { id: "device-kitchen-lamp", name: "Kitchen lamp", area_id: "kitchen", manufacturer: "Simulated", model: "Lamp" },
    { id: "device-coffee", name: "Coffee maker", area_id: "kitchen", manufacturer: "Simulated", model: "Plug" }
  ]
  /** `auth/current_user`: the token's owner. */
  readonly user = {
    id: "simulated-user",
    name: "Simulated User",
    is_owner: true,
    is_admin: true,
    credentials: [{ auth_provider_type: "homeassistant", auth_provider_id: null }],
    mfa_modules: [{ id: "totp", name: "Authenticator app", enabled: false }]
  }

  constructor(readonly now: () => string) {
    for (const [entity_id, state, attributes] of SEED) {
      const time = now()
      this.states.set(entity_id, { entity_id, state, attributes, last_changed: time, last_reported: time, last_updated: time, context: makeContext() })
    }
  }

  /** Sets an entity's state and attributes (adding it if new), as an integration would. */
  setState(entityId: string, state: string, attributes: Readonly<Record<string, unknown>> | undefined): StateChange {
    const old = this.states.get(entityId) ?? null
    const time = this.now()
    const next: HassEntity = {
      entity_id: entityId,
      state,
      attributes: attributes ?? old?.attributes ?? {},
      last_changed: old !== null && old.state === state ? old.last_changed : time,
      last_reported: time,
      last_updated: time,
      context: makeContext()
    }
    this.states.set(entityId, next)
    return { entity_id: entityId, old_state: old, new_state: next }
  }

  /** Removes an entity; `undefined` if there was none. */
  removeEntity(entityId: string): StateChange | undefined {
    const old = this.states.get(entityId)
    if (old === undefined) return undefined
    this.states.delete(entityId)
    return { entity_id: entityId, old_state: old, new_state: null }
  }

  /** Runs `domain.service` on its targets. */
  callService(
    domain: string,
    service: string,
    data: Record<string, unknown>,
    target: Record<string, unknown>,
    returnResponse: boolean,
    context: HassContext
  ): ServiceOutcome {
    const known = (SERVICES as Record<string, Record<string, { response?: { optional: boolean } }>>)[domain]?.[service]
    if (known === undefined) {
      return {
        _tag: "Error",
        error: {
          code: "not_found",
          message: `Action ${domain}.${service} not found.`,
          translation_key: "service_not_found",
          translation_placeholders: { domain, service },
          translation_domain: "homeassistant"
        }
      }
    }
    const supportsResponse = known.response !== undefined
    if (returnResponse && !supportsResponse) {
      return {
        _tag: "Error",
        error: {
          code: "service_validation_error",
          message: "Validation error: An action which does not return responses can't be called with return_response=True",
          translation_key: "service_does_not_support_response",
          translation_placeholders: { return_response: "return_response=True" },
          translation_domain: "homeassistant"
        }
      }
    }
    if (!returnResponse && supportsResponse && known.response?.optional === false) {
      return {
        _tag: "Error",
        error: {
          code: "service_validation_error",
          message: "Validation error: The action requires responses and must be called with return_response=True",
          translation_key: "service_lacks_response_request",
          translation_placeholders: { return_response: "return_response=True" },
          translation_domain: "homeassistant"
        }
      }
    }
    const targets = [...entityIds(target.entity_id), ...entityIds(data.entity_id)]
    if (domain === "weather") {
      const forecasts = Object.fromEntries(
        targets.filter((id) => this.states.has(id)).map((id) => [id, { forecast: [{ condition: "cloudy", temperature: 12 }] }])
      )
      return { _tag: "Done", changes: [], response: forecasts }
    }
    const changes: Array<StateChange> = []
    for (const entityId of targets) {
      const old = this.states.get(entityId)
      const entityDomain = entityId.split(".")[0] ?? ""
      if (old === undefined || !TOGGLEABLE.has(entityDomain) || (domain !== entityDomain && domain !== "homeassistant")) continue
      const on = service === "turn_on" || (service === "toggle" && old.state !== "on")
      const attributes = entityDomain === "light"
        ? { ...old.attributes, brightness: on ? (typeof data.brightness === "number" ? data.brightness : 255) : null }
        : old.attributes
      const time = this.now()
      const next: HassEntity = {
        ...old,
        state: on ? "on" : "off",
        attributes,
        last_changed: old.state === (on ? "on" : "off") ? old.last_changed : time,
        last_reported: time,
        last_updated: time,
        context
      }
      this.states.set(entityId, next)
      changes.push({ entity_id: entityId, old_state: old, new_state: next })
    }
    return { _tag: "Done", changes }
  }
}
