/* global performance */
// Cold start, Home Assistant: our HA client with its defaults (`HomeAssistantLive`: connect and authenticate while
// the layer is built), then one `call_service`; the layer's scope closes the connection.
// argv: the server's http:// URL, the access token.
import * as Effect from "effect/Effect"
import { HomeAssistant, HomeAssistantLive } from "effect-ws-gateway"

const loaded = performance.now()
Effect.runPromise(
  Effect.flatMap(HomeAssistant, (ha) => ha.callService("light", "toggle", undefined, { entity_id: "light.kitchen" })).pipe(
    Effect.provide(HomeAssistantLive({ url: process.argv[2], accessToken: process.argv[3] }))
  )
).then((reply) => {
  process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply })}\n`)
})
