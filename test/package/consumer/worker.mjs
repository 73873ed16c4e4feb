// A Cloudflare-style worker (bundled by the runtimes test for the workerd condition, run with `workerd test`): runs
// the scenario (see scenario.mjs) from its test handler and logs what it saw.
import { scenario } from "./scenario.mjs"

export default {
  async test(_controller, env) {
    console.log(`RESULT ${JSON.stringify(await scenario("workerd", env.ECHO, env.HA, env.TOKEN))}`)
  }
}
