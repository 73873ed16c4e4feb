/**
 * Decodes caller parameters with an operation's schema and turns a parse failure into the dispatch error it
 * stands for: missing → `InvalidParameter`, wrong type → `ParameterTypeError`, out of range → `InvalidParameter`.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { InvalidParameter, ParameterTypeError } from "../errors.js"
import { expectedParameter } from "../schemas.js"

const describeParameter = (parameter: string): string => expectedParameter[parameter] ?? "of another type"

// A key whose value is `undefined` counts as not given, so `{ message: undefined }` reads "requires 'message'".
const definedEntries = (params: object): Record<string, unknown> => {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(params)) if (value !== undefined) result[key] = value
  return result
}

/**
 * Compiles a decoder for `operation`'s parameters once (named as in messages, e.g. `websocket.send`); the returned
 * function decodes `params` (absent means none) on every call, synchronously.
 */
export const paramsDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  operation: string
): (params: unknown) => Either.Either<A, InvalidParameter | ParameterTypeError> => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
  // The operations' schemas transform nothing, so parameters the schema accepts as they are pass through uncopied;
  // everything else (absent, `undefined` values, errors) takes the decoding path below.
  const accepts = Schema.is(schema as Schema.Schema<A, unknown>)
  return (params) => {
    if (params === undefined) return decodeDefined({})
    // Checked before the schema: a struct schema with no required key would accept an array.
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      return Either.left(new ParameterTypeError({ operation, parameter: "params", expected: describeParameter("params") }))
    }
    return accepts(params) ? Either.right(params) : decodeDefined(params)
  }

  function decodeDefined(params: object): Either.Either<A, InvalidParameter | ParameterTypeError> {
    const decoded = decode(definedEntries(params))
    if (Either.isRight(decoded)) return Either.right(decoded.right)
    const [issue] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
    const parameter = String(issue?.path[0] ?? "params")
    switch (issue?._tag) {
      case "Missing":
        return Either.left(new InvalidParameter({ operation, parameter, reason: "missing" }))
      case "Refinement":
        return Either.left(new InvalidParameter({ operation, parameter, reason: `must be ${describeParameter(parameter)}` }))
      default:
        return Either.left(new ParameterTypeError({ operation, parameter, expected: describeParameter(parameter) }))
    }
  }
}
