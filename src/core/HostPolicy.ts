/**
 * An optional allow/deny policy for where the client may connect: by parsed host name and by IP address ranges
 * (literal or resolved), never by substring, so `169.254.169.254` or `10.0.0.0/8` can be blocked reliably.
 */
import * as Either from "effect/Either"
import { HostDenied, InvalidOption } from "./errors.js"
import { inRange, type IpRange, parseIp, parseRange } from "./internal/ip.js"

/** Where connections may go. Deny rules win over allow rules; an empty policy allows everything. */
export interface HostPolicy {
  /** Host names that may be used: exact (`ha.example.org`) or a suffix pattern (`*.example.org`). */
  readonly allowHosts?: ReadonlyArray<string>
  /** Host names that may not be used, same forms. */
  readonly denyHosts?: ReadonlyArray<string>
  /** Addresses or CIDR ranges (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`) that every target address must be in. */
  readonly allowAddresses?: ReadonlyArray<string>
  /** Addresses or CIDR ranges no target address may be in (checked on literals and on resolved addresses). */
  readonly denyAddresses?: ReadonlyArray<string>
}

/** A compiled policy: checks a parsed host name, and each address it is (or resolves to). */
export interface HostGuard {
  /** `HostDenied` if the parsed host name (or the literal address it is) is not allowed, else `undefined`. */
  readonly checkHost: (hostname: string) => HostDenied | undefined
  /** `HostDenied` if an address `hostname` resolved to is not allowed, else `undefined`. */
  readonly checkAddress: (hostname: string, address: string) => HostDenied | undefined
}

const unbracket = (host: string) => host.replace(/^\[|\]$/g, "").toLowerCase()

const hostMatches = (pattern: string, host: string): boolean => {
  const p = pattern.toLowerCase().replace(/\.$/, "")
  const h = host.replace(/\.$/, "")
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p
}

const compileRanges = (option: string, ranges: ReadonlyArray<string>): Either.Either<ReadonlyArray<IpRange>, InvalidOption> => {
  const compiled: Array<IpRange> = []
  for (const range of ranges) {
    const parsed = typeof range === "string" ? parseRange(range) : undefined
    if (parsed === undefined) {
      return Either.left(new InvalidOption({ option, reason: `'${String(range)}' is not an IP address or CIDR range` }))
    }
    compiled.push(parsed)
  }
  return Either.right(compiled)
}

const inList = (list: ReadonlyArray<IpRange>, text: string): boolean => {
  const address = parseIp(text)
  return address !== undefined && list.some((range) => inRange(range, address))
}

/** Compiles a policy, or says which rule is malformed. */
export const compileHostPolicy = (policy: HostPolicy): Either.Either<HostGuard, InvalidOption> =>
  Either.gen(function*() {
    const allowRanges = policy.allowAddresses === undefined
      ? undefined
      : yield* compileRanges("hostPolicy.allowAddresses", policy.allowAddresses)
    const denyRanges = yield* compileRanges("hostPolicy.denyAddresses", policy.denyAddresses ?? [])
    const checkAddress = (hostname: string, address: string): HostDenied | undefined => {
      if (inList(denyRanges, address)) return new HostDenied({ host: hostname, reason: `address ${address} is denied` })
      if (allowRanges !== undefined && !inList(allowRanges, address)) {
        return new HostDenied({ host: hostname, reason: `address ${address} is not in the allowed ranges` })
      }
      return undefined
    }
    const checkHost = (rawHost: string): HostDenied | undefined => {
      const host = unbracket(rawHost)
      if (parseIp(host) !== undefined) return checkAddress(host, host)
      if (policy.denyHosts?.some((pattern) => hostMatches(pattern, host))) {
        return new HostDenied({ host, reason: "the host name is denied" })
      }
      if (policy.allowHosts !== undefined && !policy.allowHosts.some((pattern) => hostMatches(pattern, host))) {
        return new HostDenied({ host, reason: "the host name is not in the allowed list" })
      }
      return undefined
    }
    return { checkHost, checkAddress }
  })
