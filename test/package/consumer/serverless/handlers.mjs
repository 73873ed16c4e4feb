// Two serverless handlers as the README shows them, on the installed package: one request per invocation on the
// Promise adapter, and a Home Assistant client kept across warm invocations.
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { executeWebSocketOperation, HomeAssistant, HomeAssistantLive } from "effect-ws-gateway"

/** One request per invocation: nothing is kept, so nothing holds the event loop open afterwards. */
export const echo = async (event) => ({
  reply: await executeWebSocketOperation("request", { url: event.url, message: event.message, timeout: 5 })
})

// Made on the first invocation and kept while the function stays warm; it reconnects by itself after a freeze.
let homeAssistant

/** The lights, from a Home Assistant client kept across invocations. */
export const lights = (event) => {
  homeAssistant ??= ManagedRuntime.make(HomeAssistantLive({ url: event.haUrl, accessToken: event.token }))
  return homeAssistant.runPromise(Effect.gen(function*() {
    const ha = yield* HomeAssistant
    // A read may be retried: the connection may have died while the function was frozen, with the read already
    // written to it (a write such as callService is never retried by the client: it fails with ConnectionLost).
    const states = yield* ha.getStates({ timeout: "5 seconds" }).pipe(
      Effect.retry({ times: 1, while: (error) => error._tag === "ConnectionLost" })
    )
    return states.filter((state) => state.entity_id.startsWith("light.")).map((state) => state.entity_id).sort()
  }))
}

/** Closes the kept client (a platform's shutdown hook). */
export const shutdown = async () => {
  await homeAssistant?.dispose()
  homeAssistant = undefined
  return "disposed"
}
