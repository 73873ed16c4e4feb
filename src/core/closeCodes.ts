/**
 * Which close codes a client may send: shared by the core's validation and the interface's schemas.
 */

/** Close codes a client may put on the wire (RFC 6455 §7.4; 1004–1006 and 1015 are reserved). */
export const isSendableCloseCode = (code: unknown): code is number =>
  typeof code === "number" && Number.isInteger(code) &&
  ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
