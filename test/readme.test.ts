// Every TypeScript block in README.md type-checks against the sources, with the package's import names mapped to
// src/ — so no example in the user's document can drift from the API. (The runnable ones also run, in the
// readme-example tests beside the code they exercise.)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import ts from "typescript"
import { afterAll, expect, it } from "vitest"

const root = new URL("..", import.meta.url).pathname
const scratch = join(root, "test", ".readme-blocks")
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const blocks = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

it("README.md has TypeScript examples, and every one of them type-checks", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(8)
  mkdirSync(scratch, { recursive: true })
  const files = blocks.map((code, i) => {
    const file = join(scratch, `block-${i + 1}.ts`)
    writeFileSync(file, code
      .replaceAll(`from "effect-ws-gateway/testing"`, `from "../../src/testing/index.js"`)
      .replaceAll(`from "effect-ws-gateway"`, `from "../../src/index.js"`))
    return file
  })
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined
  })!
  // An example may import a name only to mention it in a comment.
  const program = ts.createProgram(files, { ...config.options, noUnusedLocals: false, noUnusedParameters: false })
  const problems = ts.getPreEmitDiagnostics(program).map((d) =>
    `${d.file === undefined ? "" : d.file.fileName.slice(scratch.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  )
  expect(problems).toStrictEqual([])
}, 60_000)
