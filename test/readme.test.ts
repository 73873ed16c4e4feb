// Every TypeScript block in README.md and in the reference documents beside the code (src/*/README.md) type-checks
// against the sources, with the package's import names mapped to src/ — so no example a user reads can drift from
// the API. (The runnable ones also run, in the readme-example tests beside the code they exercise.) And every relative
// link in them leads to a file that exists.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import ts from "typescript"
import { afterAll, expect, it } from "vitest"

const root = new URL("..", import.meta.url).pathname
const scratch = join(root, "test", ".readme-blocks")
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const tsBlocks = (file: string) =>
  [...readFileSync(join(root, file), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
const references = readdirSync(join(root, "src"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join("src", entry.name, "README.md"))
  .filter((file) => existsSync(join(root, file)))
const readmeBlocks = tsBlocks("README.md")
const blocks = [...readmeBlocks, ...references.flatMap(tsBlocks)]

it("README.md has TypeScript examples, and every one of them, and every one in src/*/README.md, type-checks", () => {
  expect(readmeBlocks.length).toBeGreaterThanOrEqual(8)
  expect(references).toEqual(expect.arrayContaining([join("src", "core", "README.md"), join("src", "homeassistant", "README.md")]))
  expect(blocks.length).toBeGreaterThan(readmeBlocks.length)
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

it("every relative link of README.md and src/*/README.md leads to a file that exists", () => {
  const links = ["README.md", ...references].flatMap((file) =>
    [...readFileSync(join(root, file), "utf8").matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((m) => join(dirname(file), m[1]!))
  )
  expect(links.length).toBeGreaterThanOrEqual(8)
  expect(links.filter((target) => !existsSync(join(root, target)))).toStrictEqual([])
})
