/**
 * Schemas of the results the collections hold, decoded at the edge: a reply that does not match is a typed
 * `InvalidMessage` naming the command, never an `unknown` in user code. Unknown extra fields are kept, since HA adds
 * fields every release.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidMessage } from "../core/errors.js"

const extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** `get_config`: the instance's location, units, version and components (and whatever HA adds). */
export const HassConfig = Schema.Struct(
  {
    latitude: Schema.Number,
    longitude: Schema.Number,
    elevation: Schema.Number,
    unit_system: Schema.Struct({ length: Schema.String, mass: Schema.String, temperature: Schema.String, volume: Schema.String }, extra),
    location_name: Schema.String,
    time_zone: Schema.String,
    components: Schema.Array(Schema.String),
    version: Schema.String,
    state: Schema.Literal("NOT_RUNNING", "STARTING", "RUNNING", "STOPPING", "FINAL_WRITE")
  },
  extra
)
/** The decoded `get_config` result. */
export type HassConfig = typeof HassConfig.Type

/** `get_services`: every service by domain, with its fields and target. */
export const HassServices = Schema.Record({
  key: Schema.String,
  value: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({ fields: Schema.Record({ key: Schema.String, value: Schema.Unknown }) }, extra)
  })
})
/** The decoded `get_services` result. */
export type HassServices = typeof HassServices.Type

/** `auth/current_user`: who the access token belongs to. */
export const HassUser = Schema.Struct(
  {
    id: Schema.String,
    name: Schema.NullOr(Schema.String),
    is_owner: Schema.Boolean,
    is_admin: Schema.Boolean,
    credentials: Schema.Array(Schema.Struct({ auth_provider_type: Schema.String, auth_provider_id: Schema.NullOr(Schema.String) }, extra)),
    mfa_modules: Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.String, enabled: Schema.Boolean }, extra))
  },
  extra
)
/** The decoded `auth/current_user` result. */
export type HassUser = typeof HassUser.Type

/** `config/entity_registry/list_for_display`: the registry in HA's compact display form (`ei` entity id, ...). */
export const EntityRegistryDisplay = Schema.Struct(
  {
    entity_categories: Schema.Record({ key: Schema.String, value: Schema.String }),
    entities: Schema.Array(Schema.Struct({ ei: Schema.String }, extra))
  },
  extra
)
/** The decoded `config/entity_registry/list_for_display` result. */
export type EntityRegistryDisplay = typeof EntityRegistryDisplay.Type

/** `config/device_registry/list`: one entry per device. */
export const DeviceRegistryEntry = Schema.Struct(
  { id: Schema.String, name: Schema.NullOr(Schema.String), area_id: Schema.NullOr(Schema.String) },
  extra
)
/** One decoded device registry entry. */
export type DeviceRegistryEntry = typeof DeviceRegistryEntry.Type

/** `config/area_registry/list`: one entry per area. */
export const AreaRegistryEntry = Schema.Struct({ area_id: Schema.String, name: Schema.String }, extra)
/** One decoded area registry entry. */
export type AreaRegistryEntry = typeof AreaRegistryEntry.Type

/** One entity registry entry in full (`config/entity_registry/list`): disabled entities too, with `unique_id`. */
export const EntityRegistryEntry = Schema.Struct(
  {
    entity_id: Schema.String,
    unique_id: Schema.String,
    platform: Schema.String,
    disabled_by: Schema.NullOr(Schema.String),
    area_id: Schema.optional(Schema.NullOr(Schema.String)),
    device_id: Schema.optional(Schema.NullOr(Schema.String)),
    name: Schema.optional(Schema.NullOr(Schema.String))
  },
  extra
)
/** One decoded entity registry entry. */
export type EntityRegistryEntry = typeof EntityRegistryEntry.Type

/** One floor registry entry (`config/floor_registry/list`, HA 2024.4+); unknown extra fields are kept. */
export const FloorRegistryEntry = Schema.Struct(
  { floor_id: Schema.String, name: Schema.String, level: Schema.optional(Schema.NullOr(Schema.Number)) },
  extra
)
/** One decoded floor registry entry. */
export type FloorRegistryEntry = typeof FloorRegistryEntry.Type

/** One label registry entry (`config/label_registry/list`, HA 2024.4+); unknown extra fields are kept. */
export const LabelRegistryEntry = Schema.Struct(
  { label_id: Schema.String, name: Schema.String, color: Schema.optional(Schema.NullOr(Schema.String)) },
  extra
)
/** One decoded label registry entry. */
export type LabelRegistryEntry = typeof LabelRegistryEntry.Type

/** Decodes with `schema`; a mismatch is an `InvalidMessage` saying what did not match (`what`) and where. */
const decodeAs = <A, I>(schema: Schema.Schema<A, I>, what: string) => {
  const decode = Schema.decodeUnknown(schema)
  return (value: unknown): Effect.Effect<A, InvalidMessage> =>
    Effect.mapError(decode(value), (error) =>
      new InvalidMessage({ reason: `${what} does not match its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}` }))
}

/** Decodes `command`'s result with `schema`; a mismatch is an `InvalidMessage` naming the command and the path. */
export const decodeResult = <A, I>(schema: Schema.Schema<A, I>, command: string) => decodeAs(schema, `the result of ${command}`)

/** Decodes one event of `command` with `schema`; a mismatch is an `InvalidMessage` naming the command and the path. */
export const decodeEvent = <A, I>(schema: Schema.Schema<A, I>, command: string) => decodeAs(schema, `an event of ${command}`)

/**
 * Checks a caller's argument with `schema` before anything is sent (untyped callers may pass anything): a mismatch is
 * an `InvalidMessage` naming the call and the path, never a defect.
 */
export const checkArgument = <A, I>(schema: Schema.Schema<A, I>, call: string) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (value: unknown): Either.Either<A, InvalidMessage> => {
    try {
      return Either.mapLeft(decode(value), (error) =>
        new InvalidMessage({ reason: `${call}: ${ParseResult.TreeFormatter.formatErrorSync(error)}` }))
    } catch (error) {
      // An argument whose getter or proxy throws while it is read: bad input, typed, nothing sent.
      return Either.left(new InvalidMessage({
        reason: `${call}: reading the argument threw (${error instanceof Error ? error.name : "a non-error"})`
      }))
    }
  }
}
