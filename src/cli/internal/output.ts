/**
 * How the CLI prints: colours only on a terminal and never with `NO_COLOR`; inbound messages pretty-printed (or one
 * line each with `--raw`), binary frames as a size and hex summary; tables padded to their widest cell.
 */
import type * as Console from "effect/Console"
import type { InboundMessage } from "../../core/message.js"

/** Whether stdout gets colours: a terminal, and `NO_COLOR` unset or empty (no-color.org). */
export const colours = (): boolean => process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === ""

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g
const strip = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" ? arg.replace(ANSI, "") : arg))

const colourErrors = () => process.stderr.isTTY === true && (process.env.NO_COLOR ?? "") === ""

/**
 * `base` as every command prints through it: unchanged on a colour terminal, else with ANSI colours stripped
 * (@effect/cli colours its help whatever the terminal).
 */
export const plainUnlessColour = (base: Console.Console): Console.Console => ({
  ...base,
  log: (...args) => base.log(...(colours() ? args : strip(args))),
  error: (...args) => base.error(...(colourErrors() ? args : strip(args)))
})

const paint = (code: number) => (text: string) => (colours() ? `\x1b[${code}m${text}\x1b[0m` : text)
/** Dimmed text (timestamps, arrows). */
export const dim = paint(2)
/** Highlighted text (entity ids, event types). */
export const accent = paint(36)
/** Error text. */
export const danger = paint(31)

/** A binary frame as `<binary N bytes: 0a1b2c…>`, at most 16 bytes shown. */
export const binarySummary = (bytes: Uint8Array): string => {
  const shown = [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")
  return `<binary ${bytes.length} bytes${bytes.length === 0 ? "" : `: ${shown}${bytes.length > 16 ? "…" : ""}`}>`
}

/** One inbound message as printed: objects and arrays indented unless `raw`, text as it is, binary summarised. */
export const formatMessage = (message: InboundMessage, raw: boolean): string =>
  typeof message === "string"
    ? message
    : message instanceof Uint8Array
    ? binarySummary(message)
    : JSON.stringify(message, null, raw ? undefined : 2)

/** What a typed line becomes on the wire: JSON if it parses as an object or array, else the text itself. */
export const parseLine = (line: string): string | Readonly<Record<string, unknown>> | ReadonlyArray<unknown> => {
  const trimmed = line.trim()
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed) as Readonly<Record<string, unknown>> | ReadonlyArray<unknown>
    } catch {
      return line
    }
  }
  return line
}

/** Rows padded into columns, the header first. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()
  return [line(header), ...rows.map(line)].join("\n")
}

/** `fnmatch`-style glob (`light.*`) when the pattern has `*`, `?` or `[`; otherwise a substring match. */
export const matcher = (pattern: string | undefined): (id: string) => boolean => {
  if (pattern === undefined || pattern === "") return () => true
  if (!/[*?[]/.test(pattern)) return (id) => id.includes(pattern)
  const regex = globRegExp(pattern)
  return (id) => regex.test(id)
}

const globRegExp = (pattern: string): RegExp => {
  try {
    return new RegExp(`^${globSource(pattern)}$`)
  } catch {
    // A set no regular expression can hold (a range out of order, `[z-a]`) matches as the literal text.
    return new RegExp(`^${escapeRegExp(pattern)}$`)
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")

/** A glob as a regular expression's source, as Python's `fnmatch.translate`: a `[` with no `]` is itself. */
const globSource = (pattern: string): string => {
  let source = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "*") source += ".*"
    else if (c === "?") source += "."
    else if (c === "[") {
      // A set ends at the first `]` after its first character (so `[]]` holds `]`); `[!...]` is its complement.
      const start = pattern[i + 1] === "!" ? i + 2 : i + 1
      const end = pattern.indexOf("]", start + 1)
      if (end < 0) {
        source += "\\["
        continue
      }
      const members = pattern.slice(start, end).replace(/[\\^\]]/g, "\\$&")
      source += `[${start === i + 2 ? "^" : ""}${members}]`
      i = end
    } else source += escapeRegExp(c)
  }
  return source
}
