import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const srcRoot = resolve(import.meta.dirname, "../../src")

/** Every module the public entry point loads at run time (type-only imports are erased and do not count). */
const runtimeGraph = (entry: string): Map<string, ReadonlyArray<string>> => {
  const graph = new Map<string, ReadonlyArray<string>>()
  const visit = (file: string) => {
    if (graph.has(file)) return
    const source = readFileSync(file, "utf8")
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm)]
      .map((match) => match[1] as string)
    graph.set(file, specifiers)
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")))
    }
  }
  visit(entry)
  return graph
}

describe("the ws package is loaded lazily", () => {
  it("nothing the public API loads imports ws statically, so the package loads where ws is missing", () => {
    const graph = runtimeGraph(resolve(srcRoot, "index.ts"))
    expect(graph.size).toBeGreaterThan(10)
    const importers = [...graph].filter(([, specifiers]) => specifiers.includes("ws")).map(([file]) => file)
    expect(importers).toStrictEqual([])
  })

  it("the test kit does not import ws either", () => {
    const graph = runtimeGraph(resolve(srcRoot, "testing/index.ts"))
    expect([...graph].filter(([, specifiers]) => specifiers.includes("ws"))).toStrictEqual([])
  })
})
