#!/usr/bin/env node
/**
 * The installed `effect-ws-gateway` command: turns on Node's compile cache (22.1+; a no-op before) so that V8 reuses
 * the compiled code of the bundled CLI (`main.js`, one minified file) from the second run on, then runs it.
 */
import * as module from "node:module"

;(module as { readonly enableCompileCache?: () => unknown }).enableCompileCache?.()
await import("./main.js")
