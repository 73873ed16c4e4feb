/**
 * The handle `websocket.connect` returns: an opaque token the caller passes back as `connection`.
 */
let nextHandle = 0

/**
 * An opaque connection handle. An interface instance accepts only the handles it issued; printing or
 * serialising one shows its id and redacted URL, never credentials.
 */
export class ConnectionHandle {
  readonly id: string

  /** @internal Issued by `WebSocketInterface.connect`. */
  constructor(readonly url: string) {
    this.id = `ws-${++nextHandle}`
  }

  /** `ConnectionHandle(<id> <url>)`, with the connection's redacted URL. */
  toString(): string {
    return `ConnectionHandle(${this.id} ${this.url})`
  }
}
