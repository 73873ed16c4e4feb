import { CliConfig, Options } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { haOptions } from "../../src/cli/ha/connection.js"

// The `ha` options as the CLI parses them, with the environment given as a map: no process, no network.
const parse = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Options.processCommandLine(Options.all(haOptions), args, CliConfig.defaultConfig).pipe(
    Effect.map(([, , parsed]) => parsed),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeContext.layer),
    Effect.either,
    Effect.runPromise
  )

describe("the ha options and the environment", () => {
  it("--allow-insecure, else HASS_ALLOW_INSECURE (as npm start reads it), else off", async () => {
    const fromEnv = (value: string | undefined) =>
      parse([], value === undefined ? {} : { HASS_ALLOW_INSECURE: value }).then((r) => Either.map(r, (o) => o.allowInsecure))
    expect(await fromEnv(undefined)).toStrictEqual(Either.right(false))
    expect(await fromEnv("1")).toStrictEqual(Either.right(true))
    expect(await fromEnv("true")).toStrictEqual(Either.right(true))
    expect(await fromEnv("0")).toStrictEqual(Either.right(false))
    const flag = await parse(["--allow-insecure"], {})
    expect(Either.map(flag, (o) => o.allowInsecure)).toStrictEqual(Either.right(true))
    // A value that is not a boolean is a usage error, not a silent "off".
    expect(Either.isLeft(await parse([], { HASS_ALLOW_INSECURE: "maybe" }))).toBe(true)
  })

  it("server and token from the flags, else HASS_SERVER / HASS_URL and HASS_TOKEN", async () => {
    const env = await parse([], { HASS_URL: "http://ha.lan:8123", HASS_TOKEN: "tok-env" })
    expect(Either.isRight(env)).toBe(true)
    if (Either.isRight(env)) {
      expect(env.right.server).toStrictEqual(Option.some("http://ha.lan:8123"))
      expect(Option.map(env.right.token, Redacted.value)).toStrictEqual(Option.some("tok-env"))
    }
    const flags = await parse(["--server", "https://ha.example:8123", "--token", "tok-flag"], { HASS_SERVER: "http://x" })
    expect(Either.isRight(flags) && flags.right.server).toStrictEqual(Option.some("https://ha.example:8123"))
    expect(Either.isRight(flags) && Option.map(flags.right.token, Redacted.value)).toStrictEqual(Option.some("tok-flag"))
  })
})
