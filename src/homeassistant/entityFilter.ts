/**
 * HA core's include/exclude entity filter (`helpers/entityfilter.py`, `convert_include_exclude_filter`), which
 * `subscribe_entities` applies server-side: the same six cases, with globs as Python's `fnmatch` reads them (`*`, `?`, `[seq]`, `[!seq]`).
 * The client applies it itself where HA cannot (before 2022.4, without `subscribe_entities`); the simulator, as HA.
 */

interface Part {
  readonly entities: ReadonlySet<string>
  readonly domains: ReadonlySet<string>
  readonly globs: RegExp | undefined
}

const strings = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []

const glob = (patterns: ReadonlyArray<string>): RegExp | undefined =>
  patterns.length === 0 ? undefined : new RegExp(
    `^(?:${
      patterns.map((pattern) =>
        pattern.replace(/\[!?[^\]]*\]|[.+^${}()|[\]\\*?]/g, (token) =>
          token === "*" ? ".*" : token === "?" ? "." : token.length > 1 ? token.replace(/^\[!/, "[^") : `\\${token}`
        )
      ).join("|")
    })$`
  )

const part = (value: unknown): Part => {
  const raw: Readonly<Record<string, unknown>> = typeof value === "object" && value !== null ? value as never : {}
  return { entities: new Set(strings(raw.entities)), domains: new Set(strings(raw.domains)), globs: glob(strings(raw.entity_globs)) }
}

const any = (p: Part) => p.entities.size > 0 || p.domains.size > 0 || p.globs !== undefined
const matches = (p: Part, entityId: string, domain: string) =>
  p.entities.has(entityId) || p.domains.has(domain) || (p.globs?.test(entityId) ?? false)

/** The predicate of a `subscribe_entities` message: its `entity_ids` and its `include` / `exclude`. */
export const entityFilter = (message: Readonly<Record<string, unknown>>): (entityId: string) => boolean => {
  const ids = Array.isArray(message.entity_ids) ? new Set(strings(message.entity_ids)) : undefined
  const include = part(message.include)
  const exclude = part(message.exclude)
  const byLists = (entityId: string): boolean => {
    const domain = entityId.split(".", 1)[0] ?? ""
    if (!any(include)) return !any(exclude) || !matches(exclude, entityId, domain) // cases 1 and 3
    if (!any(exclude)) return matches(include, entityId, domain) // case 2
    if (include.domains.size > 0 || include.globs !== undefined) { // case 4
      return include.entities.has(entityId) || (!exclude.entities.has(entityId) &&
        ((include.globs?.test(entityId) ?? false) ||
          (include.domains.has(domain) && !(exclude.globs?.test(entityId) ?? false))))
    }
    if (exclude.domains.size > 0 || exclude.globs !== undefined) { // case 5
      return include.entities.has(entityId) || !matches(exclude, entityId, domain)
    }
    return include.entities.has(entityId) // case 6
  }
  return (entityId) => (ids === undefined || ids.size === 0 || ids.has(entityId)) && byLists(entityId)
}
