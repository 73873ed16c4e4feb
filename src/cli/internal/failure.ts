/**
 * How a CLI run ends: success (0), a usage error (2), a typed failure printed as one line (1), an interrupt (130),
 * or a command's own code (`connect` says how the connection ended). Never a stack trace.
 */
import * as Data from "effect/Data"

/** A command that ends with this exit code; `message`, if any, is printed as the one error line. */
export class ExitWith extends Data.TaggedError("ExitWith")<{ readonly code: number; readonly message?: string }> {}

/** The one line printed for a failure: the typed error's message, never a stack or a token. */
export const describe = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const message = (error as { readonly message?: unknown }).message
    if (typeof message === "string" && message !== "") return message
    const tag = (error as { readonly _tag?: unknown })._tag
    if (typeof tag === "string") return tag
  }
  return String(error)
}
