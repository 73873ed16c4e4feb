import { describe, expect, it } from "vitest"
import { utf8ByteLength } from "../../src/core/utf8.js"

describe("utf8ByteLength", () => {
  it.each(["", "ascii", "é", "€", "😀", "a😀b", "\ud800", "\udc00", "x\ud800y", "\ud800\ud800", "日本語テキスト", "\u007f\u0080\u07ff\u0800\uffff"])(
    "%j has as many bytes as TextEncoder writes",
    (text) => expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length)
  )

  it("agrees with TextEncoder on 2,000 random strings of any code units", () => {
    let seed = 42
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let n = 0; n < 2000; n++) {
      const text = String.fromCharCode(...Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * 0x10000)))
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length)
    }
  })
})
