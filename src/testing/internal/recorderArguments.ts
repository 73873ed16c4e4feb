/**
 * How the simulator's recorder commands read their arguments, as HA core's voluptuous schemas and handlers do:
 * a key of the wrong type is `invalid_format`, a time `dt_util.parse_datetime` cannot read is `invalid_start_time` /
 * `invalid_end_time`.
 */

/** A successful result. */
export const resultMessage = (id: number, value: unknown = null) => ({ id, type: "result", success: true, result: value })

/** A failed result. */
export const errorMessage = (id: number, code: string, message: string) => ({ id, type: "result", success: false, error: { code, message } })

/** A period and its entities, read from a command; or the error message HA answers. */
export type Period =
  | {
    readonly _tag: "Period"
    readonly start: number
    readonly end: number | undefined
    readonly entityIds: ReadonlyArray<string> | undefined
    readonly flag: (key: string, fallback: boolean) => boolean
  }
  | { readonly _tag: "Refused"; readonly reply: ReturnType<typeof errorMessage> }

const isStringList = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

/** `start_time` (required), `end_time`, `entity_ids` and the boolean `flags` of `message`, checked as HA checks them. */
export const readPeriod = (
  id: number,
  message: Readonly<Record<string, unknown>>,
  flags: ReadonlyArray<string>,
  listKey = "entity_ids"
): Period => {
  const refuse = (code: string, text: string): Period => ({ _tag: "Refused", reply: errorMessage(id, code, text) })
  if (message.start_time === undefined) return refuse("invalid_format", "required key not provided @ data['start_time']")
  for (const key of ["start_time", "end_time"]) {
    if (message[key] !== undefined && typeof message[key] !== "string") {
      return refuse("invalid_format", `expected str for dictionary value @ data['${key}']`)
    }
  }
  if (message[listKey] !== undefined && !isStringList(message[listKey])) {
    return refuse("invalid_format", `expected a list for dictionary value @ data['${listKey}']`)
  }
  for (const key of flags) {
    if (message[key] !== undefined && typeof message[key] !== "boolean") {
      return refuse("invalid_format", `expected bool for dictionary value @ data['${key}']`)
    }
  }
  const start = Date.parse(message.start_time as string)
  if (Number.isNaN(start)) return refuse("invalid_start_time", "Invalid start_time")
  const end = typeof message.end_time === "string" && message.end_time !== "" ? Date.parse(message.end_time) : undefined
  if (end !== undefined && Number.isNaN(end)) return refuse("invalid_end_time", "Invalid end_time")
  return {
    _tag: "Period",
    start,
    end,
    entityIds: message[listKey] as ReadonlyArray<string> | undefined,
    flag: (key, fallback) => typeof message[key] === "boolean" ? message[key] as boolean : fallback
  }
}
