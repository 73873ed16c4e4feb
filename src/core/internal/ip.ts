/**
 * IP address parsing and CIDR matching in plain code (no `node:net`), so the host policy runs in any runtime.
 * Addresses are the canonical forms the WHATWG URL parser produces (`0xA9FEA9FE` is already `169.254.169.254`).
 */

/** A parsed address: its family and its value as a 32- or 128-bit integer. */
export interface IpAddress {
  readonly family: 4 | 6
  readonly value: bigint
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

const parseIPv4 = (text: string): bigint | undefined =>
  IPV4.test(text) ? text.split(".").reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n) : undefined

const parseGroups = (text: string): Array<number> | undefined => {
  if (text === "") return []
  const groups: Array<number> = []
  const parts = text.split(":")
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part)
      if (v4 === undefined) return undefined
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16))
    } else {
      return undefined
    }
  }
  return groups
}

const parseIPv6 = (text: string): bigint | undefined => {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0]!)
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : []
  if (head === undefined || tail === undefined) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  return [...head, ...Array<number>(missing).fill(0), ...tail].reduce((value, group) => (value << 16n) | BigInt(group), 0n)
}

/** The address `text` is (IPv4 dotted quad or IPv6 without a zone), or `undefined` for anything else. */
export const parseIp = (text: string): IpAddress | undefined => {
  const v4 = parseIPv4(text)
  if (v4 !== undefined) return { family: 4, value: v4 }
  if (!text.includes(":")) return undefined
  const v6 = parseIPv6(text)
  return v6 === undefined ? undefined : { family: 6, value: v6 }
}

/** A CIDR range: addresses of `family` whose first `prefix` bits equal those of `base`. */
export interface IpRange {
  readonly family: 4 | 6
  readonly base: bigint
  readonly prefix: number
}

const bits = (family: 4 | 6) => (family === 4 ? 32 : 128)

/** Parses `address` or `address/prefix`; `undefined` if either part is malformed. */
export const parseRange = (text: string): IpRange | undefined => {
  const [addressText = "", prefixText, extra] = text.split("/")
  const address = parseIp(addressText)
  if (address === undefined || extra !== undefined) return undefined
  const prefix = prefixText === undefined ? bits(address.family) : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1
  if (prefix < 0 || prefix > bits(address.family)) return undefined
  return { family: address.family, base: address.value, prefix }
}

/** Whether `address` lies in `range`. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is matched as the IPv4 it carries. */
export const inRange = (range: IpRange, address: IpAddress): boolean => {
  const mapped = address.family === 6 && address.value >> 32n === 0xffffn
  const family = mapped ? 4 : address.family
  const value = mapped ? address.value & 0xffffffffn : address.value
  if (family !== range.family) return false
  const shift = BigInt(bits(family) - range.prefix)
  return value >> shift === range.base >> shift
}
