/**
 * Dispatch-level errors of the INT-07 interface. Each `_tag` equals its class name; no message quotes a
 * parameter's value (it could be a credential).
 */
import * as Schema from "effect/Schema"

/** The operation name is not one of the interface's operations; the message lists the valid ones, sorted. */
export class UnknownOperation extends Schema.TaggedError<UnknownOperation>()("UnknownOperation", {
  interfaceName: Schema.String,
  operation: Schema.String,
  valid: Schema.Array(Schema.String)
}) {
  override get message() {
    return `${this.interfaceName} has no operation '${this.operation}'; valid operations: ${this.valid.join(", ")}`
  }
}

/** A required parameter is missing, or a value is out of range (negative timeout, close code not allowed...). */
export class InvalidParameter extends Schema.TaggedError<InvalidParameter>()("InvalidParameter", {
  operation: Schema.String,
  parameter: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return this.reason === "missing"
      ? `${this.operation} requires '${this.parameter}'`
      : `${this.operation}: '${this.parameter}' ${this.reason}`
  }
}

/** A parameter is present but of the wrong type, or a `connection` is not a handle from this interface. */
export class ParameterTypeError extends Schema.TaggedError<ParameterTypeError>()("ParameterTypeError", {
  operation: Schema.String,
  parameter: Schema.String,
  expected: Schema.String
}) {
  override get message() {
    return `${this.operation}: '${this.parameter}' must be ${this.expected}`
  }
}

/** The interface could not be loaded (its transport or Layer failed to build); every call fails with this. */
export class InterfaceUnavailable extends Schema.TaggedError<InterfaceUnavailable>()("InterfaceUnavailable", {
  interfaceName: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Interface '${this.interfaceName}' is unavailable: ${this.reason}`
  }
}

/** Every dispatch-level failure of an interface. */
export type DispatchError = UnknownOperation | InvalidParameter | ParameterTypeError
