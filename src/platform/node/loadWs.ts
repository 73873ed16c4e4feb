/**
 * Loading `ws`, including from inside an ESM bundle. `ws` is CommonJS: a bundler that emits ESM (esbuild
 * `--format=esm`, as AWS CDK's `NodejsFunction` does with `format: ESM`) wraps it with a `require` shim that throws
 * for Node's built-in modules ("Dynamic require of "events" is not supported"), because an ES module has no
 * `require`. The shim looks `require` up when it runs, and `ws`'s module code runs once, when it is first imported;
 * so for that import alone, where no `require` exists, one that serves Node's built-in modules (and nothing else) is
 * put on `globalThis`, and taken away as soon as the import settles. Where a global `require` exists, nothing is
 * installed.
 */
import type WebSocket from "ws"

/** The global object as far as `require` goes: absent in an ES module, a function in CommonJS. */
type Global = { require?: unknown }

const unsupported = (id: string) => new Error(`Dynamic require of "${id}" is not supported`)

/**
 * A `require` of Node's built-in modules only; anything else fails as the bundle's own shim would. From
 * `process.getBuiltinModule` (Node 20.16+, 22.3+), which loads nothing else: `node:module`'s `createRequire`, the
 * fallback for older runtimes, brings Node's ES module loader with it (measured: 2M more instructions per cold start).
 */
const builtinRequire = async (): Promise<(id: string) => unknown> => {
  if (typeof process.getBuiltinModule === "function") {
    return (id: string) => {
      const exports: unknown = process.getBuiltinModule(id)
      if (exports === undefined) throw unsupported(id)
      return exports
    }
  }
  const [{ createRequire, isBuiltin }, { pathToFileURL }] = await Promise.all([import("node:module"), import("node:url")])
  const require = createRequire(pathToFileURL(`${process.cwd()}/`).href)
  return (id: string) => {
    if (!isBuiltin(id)) throw unsupported(id)
    return require(id)
  }
}

/** The `ws` WebSocket class; rejects with the loader's error when `ws` cannot be loaded at all. */
export const loadWs = async (): Promise<typeof WebSocket> => {
  const global = globalThis as unknown as Global
  if (typeof global.require !== "undefined") return (await import("ws")).default
  const installed = await builtinRequire()
  global.require = installed
  try {
    return (await import("ws")).default
  } finally {
    if (global.require === installed) delete global.require
  }
}
