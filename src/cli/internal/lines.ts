/**
 * Lines typed or piped on stdin as a Stream that ends with stdin. On a terminal a prompt is kept under the output:
 * `print` writes a message above the line being typed and redraws it.
 */
import { createInterface } from "node:readline"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"

/** Stdin's lines, and how to print without breaking the line being typed. */
export interface Lines {
  readonly lines: Stream.Stream<string>
  readonly print: (text: string) => void
  readonly interactive: boolean
}

/** Reads stdin line by line until it ends (Ctrl-D on a terminal); the reader closes with the scope. */
export const stdinLines: Effect.Effect<Lines, never, Scope.Scope> = Effect.gen(function*() {
  const interactive = process.stdin.isTTY === true
  const mailbox = yield* Mailbox.make<string>()
  const reader = yield* Effect.acquireRelease(
    Effect.sync(() => createInterface({ input: process.stdin, ...(interactive ? { output: process.stdout, prompt: "> " } : {}), terminal: interactive })),
    (rl) => Effect.sync(() => rl.close())
  )
  reader.on("line", (line) => {
    mailbox.unsafeOffer(line)
    if (interactive) reader.prompt()
  })
  reader.on("close", () => mailbox.unsafeDone(Exit.void))
  // On a terminal readline takes Ctrl-C for itself: hand it back as the signal, so the run is interrupted (and every
  // connection closed with a close frame) as anywhere else.
  reader.on("SIGINT", () => process.kill(process.pid, "SIGINT"))
  if (interactive) reader.prompt()
  const print = (text: string) => {
    if (!interactive) return void process.stdout.write(`${text}\n`)
    process.stdout.write(`\r\x1b[K${text}\n`)
    reader.prompt(true)
  }
  return { lines: Mailbox.toStream(mailbox), print, interactive }
})
