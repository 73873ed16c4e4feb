/**
 * Gateway-level errors. `_tag` equals the class name.
 */
import * as Schema from "effect/Schema"

/** No interface is registered under that name; the message lists the registered ones, sorted. */
export class UnknownInterface extends Schema.TaggedError<UnknownInterface>()("UnknownInterface", {
  interfaceName: Schema.String,
  registered: Schema.Array(Schema.String)
}) {
  override get message() {
    return `No interface '${this.interfaceName}' is registered; registered interfaces: ${this.registered.join(", ")}`
  }
}
