// `sideEffects: false` must be true: importing the entries adds no global beyond what `effect` itself adds, and
// starts no socket, timer or other handle. Node's own modules the Node entry may import are loaded first: from Node 22
// on, loading node:http defines undici's global dispatcher (Symbol(undici.globalDispatcher.1)), which is Node's.
const settle = () => new Promise((resolve) => setTimeout(resolve, 20)) // module loading's own file reads finish
await import("effect")
await import("effect/Schema")
for (const builtin of ["node:dns", "node:http", "node:https", "node:module", "node:net", "node:tls", "node:url"]) await import(builtin)
await settle()
const before = new Set(Reflect.ownKeys(globalThis))
const resourcesBefore = process.getActiveResourcesInfo()
await import("effect-ws-gateway")
await import("effect-ws-gateway/testing")
await settle()
const added = Reflect.ownKeys(globalThis).filter((key) => !before.has(key)).map(String)
console.log(JSON.stringify({ added, resources: process.getActiveResourcesInfo(), resourcesBefore }))
