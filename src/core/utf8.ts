/**
 * UTF-8 byte lengths without `Buffer`, so the core runs in any JavaScript runtime. A lone surrogate counts as the
 * 3 bytes of U+FFFD, as every encoder (`Buffer`, `TextEncoder`, `WebSocket.send`) writes it.
 */

/** The number of bytes `text` takes in UTF-8. */
export const utf8ByteLength = (text: string): number => {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) continue
    if (unit < 0x800) {
      bytes += 1
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2 // a pair: 2 units, 4 bytes
        i++
      } else {
        bytes += 2
      }
    } else {
      bytes += 2
    }
  }
  return bytes
}
