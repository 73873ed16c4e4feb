/**
 * Reads a WAV file's PCM samples, and only the kind an Assist pipeline takes: 16 kHz, mono, 16-bit PCM. Anything else
 * is a reason a person can act on ("44100 Hz, 2 channels, 16-bit"), never a guess at converting it.
 */
import * as Either from "effect/Either"

/** The PCM samples of a 16 kHz mono 16-bit WAV, or why the file is not one. */
export const pcmOfWav = (bytes: Uint8Array): Either.Either<Uint8Array, string> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tag = (at: number) => (at + 4 <= bytes.length ? String.fromCharCode(...bytes.subarray(at, at + 4)) : "")
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return Either.left("not a WAV file (no RIFF/WAVE header)")
  let format: { readonly code: number; readonly channels: number; readonly rate: number; readonly bits: number } | undefined
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at)
    const size = view.getUint32(at + 4, true)
    const body = at + 8
    if (id === "fmt " && size >= 16 && body + 16 <= bytes.length) {
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true)
      }
    } else if (id === "data") {
      if (format === undefined) return Either.left("its data comes before its format")
      // 1: PCM; 0xFFFE: WAVE_FORMAT_EXTENSIBLE (PCM in practice at these settings)
      const pcm = format.code === 1 || format.code === 0xfffe
      if (!pcm || format.rate !== 16_000 || format.channels !== 1 || format.bits !== 16) {
        return Either.left(
          `expected 16 kHz mono 16-bit PCM, got ${pcm ? "" : `format ${format.code}, `}${format.rate} Hz, ` +
            `${format.channels} channel${format.channels === 1 ? "" : "s"}, ${format.bits}-bit`
        )
      }
      return Either.right(bytes.subarray(body, Math.min(bytes.length, body + size)))
    }
    at = body + size + (size % 2)
  }
  return Either.left(format === undefined ? "it has no format chunk" : "it has no data chunk")
}

/** `pcm` in chunks of `size` bytes, as a microphone would deliver them. */
export const chunksOf = (pcm: Uint8Array, size: number): ReadonlyArray<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  for (let at = 0; at < pcm.length; at += size) chunks.push(pcm.subarray(at, at + size))
  return chunks
}
