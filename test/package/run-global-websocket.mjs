// The global-websocket run (test/vitest.global-websocket.config.ts) on Node 22 and 24, where Node's global WebSocket
// needs no flag: vitest itself is started on each binary of test/package/node-versions (installed from its lockfile
// if missing, as nodeVersions.ts does), with NODE_OPTIONS removed, each writing its own JSON report
// (.vitest-global-websocket-node22-report.json, ...) for .ci/run's closing count. One after the other; the exit
// code is 1 if any run failed.
//
//   node test/package/run-global-websocket.mjs 22 24
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"

const repo = join(import.meta.dirname, "../..")
const project = join(import.meta.dirname, "node-versions")
const binary = (major) => join(project, `node_modules/node${major}/bin/node`)

const majors = process.argv.slice(2)
if (majors.length === 0 || majors.some((major) => major !== "22" && major !== "24")) {
  console.error("usage: node test/package/run-global-websocket.mjs 22 24 (Node 20 needs the flag: npm run test:global-websocket)")
  process.exit(2)
}
if (!majors.every((major) => existsSync(binary(major)))) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", project], { stdio: "inherit" })
}

const env = { ...process.env }
delete env.NODE_OPTIONS
let failed = 0
for (const major of majors) {
  const result = spawnSync(binary(major), [
    "node_modules/vitest/vitest.mjs", "run", "--config", "test/vitest.global-websocket.config.ts",
    `--outputFile.json=.vitest-global-websocket-node${major}-report.json`
  ], { cwd: repo, stdio: "inherit", env: { ...env, GLOBAL_WEBSOCKET_NODE: major } })
  if (result.status !== 0) {
    console.error(`the global-websocket run on Node ${major} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`)
    failed++
  }
}
process.exit(failed === 0 ? 0 : 1)
