/** Durations on the command line: `500ms`, `5s`, `2m`, or a plain number of seconds. */
import { HelpDoc, Options } from "@effect/cli"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** Parses a CLI duration, or explains what is accepted. */
export const parseDuration = (text: string): Either.Either<Duration.Duration, string> => {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim())
  if (match === null) return Either.left(`"${text}" is not a duration: use 500ms, 5s, 2m or a number of seconds`)
  const value = Number(match[1])
  return Either.right(match[2] === "ms" ? Duration.millis(value) : match[2] === "m" ? Duration.minutes(value) : Duration.seconds(value))
}

/** A `--name <duration>` option with a default, rejected with a one-line usage error when malformed. */
export const durationOption = (name: string, description: string, fallback: Duration.DurationInput): Options.Options<Duration.Duration> =>
  Options.text(name).pipe(
    Options.withDescription(`${description} (500ms, 5s, 2m; default ${Duration.format(Duration.decode(fallback))})`),
    Options.optional,
    Options.mapTryCatch(
      (text) => Option.match(text, { onNone: () => Duration.decode(fallback), onSome: (t) => Either.getOrThrowWith(parseDuration(t), (e) => e) }),
      (error) => HelpDoc.p(String(error))
    )
  )
