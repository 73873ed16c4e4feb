/**
 * Where the `ha` commands connect: `--server` / `--token`, else `HASS_SERVER` (or `HASS_URL`) / `HASS_TOKEN` as
 * home-assistant-cli reads them, and `--allow-insecure`, else `HASS_ALLOW_INSECURE`; or `--simulator`: the embedded
 * HA simulator, with a light that changes every second so `watch` has something to show. The token is `Redacted`
 * from the flag or environment on.
 */
import { Options } from "@effect/cli"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type { TransportUnavailable } from "../../core/errors.js"
import type { HomeAssistantOptions, HomeAssistantStartError } from "../../homeassistant/HomeAssistant.js"
import { HomeAssistant } from "../../homeassistant/service.js"
import { HomeAssistantLayer, WebSocketClientLive } from "../../index.js"
import { HomeAssistantSimulator } from "../../testing/HomeAssistantSimulator.js"
import { ExitWith } from "../internal/failure.js"

/** The options every `ha` command shares. */
export const haOptions = {
  server: Options.text("server").pipe(
    Options.withDescription("Home Assistant's address, http(s)://host:8123 (or set HASS_SERVER / HASS_URL)"),
    Options.withFallbackConfig(Config.string("HASS_SERVER").pipe(Config.orElse(() => Config.string("HASS_URL")))),
    Options.optional
  ),
  token: Options.redacted("token").pipe(
    Options.withDescription("a long-lived access token (or set HASS_TOKEN); never printed"),
    Options.withFallbackConfig(Config.redacted("HASS_TOKEN")),
    Options.optional
  ),
  simulator: Options.boolean("simulator").pipe(Options.withDescription("use the embedded Home Assistant simulator instead")),
  allowInsecure: Options.boolean("allow-insecure").pipe(
    Options.withDescription(
      "send the token over plain http:// to a Home Assistant on another machine, a LAN without TLS (or set HASS_ALLOW_INSECURE=1)"
    ),
    // As `npm start` reads it: one variable for a LAN install, whichever tool is run.
    Options.withFallbackConfig(Config.boolean("HASS_ALLOW_INSECURE"))
  )
}

/** What `haOptions` parse to. */
export interface HaConfig {
  readonly server: Option.Option<string>
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly simulator: boolean
  readonly allowInsecure: boolean
}

/** The client's options for a real Home Assistant: no reconnect (a command ends with its connection). */
export const clientOptions = (
  server: string,
  token: Redacted.Redacted<string>,
  allowInsecure: boolean
): HomeAssistantOptions => ({ url: server, accessToken: token, reconnect: false, ...(allowInsecure ? { allowInsecure } : {}) })

// The library's refusal names its option; on the command line the flag is what to use.
const refusedInsecure = (error: HomeAssistantStartError | TransportUnavailable) =>
  error._tag === "InsecureConnection"
    ? new ExitWith({
      code: 1,
      message: `refusing to send the token unencrypted to ${error.host}: use https://, or pass --allow-insecure`
    })
    : error

const SIMULATOR_TOKEN = "simulator-token"

// The simulated home's activity: the kitchen light toggles every second.
const activity = (sim: HomeAssistantSimulator) =>
  Effect.forkScoped(Effect.repeat(
    Effect.suspend(() => {
      const kitchen = sim.states.find((state) => state.entity_id === "light.kitchen")
      return sim.setState("light.kitchen", kitchen?.state === "on" ? "off" : "on")
    }),
    Schedule.spaced(Duration.seconds(1))
  ).pipe(Effect.delay(Duration.seconds(1))))

const missing = (message: string) => Layer.effect(HomeAssistant, Effect.fail(new ExitWith({ code: 2, message })))

/** The client layer for `config`, or a usage failure naming what is missing. */
export const haLayer = (
  config: HaConfig
): Layer.Layer<HomeAssistant, HomeAssistantStartError | TransportUnavailable | ExitWith> => {
  if (config.simulator) {
    return Layer.unwrapScoped(Effect.gen(function*() {
      const sim = yield* HomeAssistantSimulator.make({ accessToken: SIMULATOR_TOKEN })
      yield* activity(sim)
      // What its speech-to-text "hears" in any audio (`ha assist --audio`).
      yield* sim.setAssistTranscript("what is the outdoor temperature")
      return HomeAssistantLayer({ url: sim.httpUrl, accessToken: SIMULATOR_TOKEN, reconnect: false })
    })).pipe(Layer.provide(WebSocketClientLive))
  }
  if (Option.isNone(config.server)) {
    return missing("no Home Assistant: pass --server or set HASS_SERVER (or use --simulator)")
  }
  if (Option.isNone(config.token)) {
    return missing("no token: pass --token or set HASS_TOKEN")
  }
  return HomeAssistantLayer(clientOptions(config.server.value, config.token.value, config.allowInsecure)).pipe(
    Layer.provide(WebSocketClientLive),
    Layer.mapError(refusedInsecure)
  )
}
