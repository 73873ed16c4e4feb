/**
 * Audio for an Assist run as HA's binary handler takes it (websocket_api `async_handle_binary`): each frame is the
 * run's `stt_binary_handler_id` byte, then whole 16-bit samples of 16 kHz mono PCM; a frame of the byte alone ends
 * the audio. Chunks of any size come in; an odd byte waits for the next chunk, so no sample is ever split.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { InvalidMessage } from "../../core/errors.js"

/** The most audio one frame carries: one second (16,000 samples). */
export const MAX_FRAME_BYTES = 32_000

/** What is left over between chunks: at most one byte, half of a sample. */
type Carry = Uint8Array | undefined

/** One frame: the handler id, then `samples` (an even number of bytes). */
const frame = (handlerId: number, samples: Uint8Array): Uint8Array => {
  const out = new Uint8Array(samples.length + 1)
  out[0] = handlerId
  out.set(samples, 1)
  return out
}

/** Splits `chunk` (after `carry`) into frames of whole samples; returns the byte that is left, if any. */
export const splitSamples = (handlerId: number, carry: Carry, chunk: Uint8Array): readonly [Carry, ReadonlyArray<Uint8Array>] => {
  const bytes = carry === undefined ? chunk : concat(carry, chunk)
  const whole = bytes.length - (bytes.length % 2)
  const frames: Array<Uint8Array> = []
  for (let start = 0; start < whole; start += MAX_FRAME_BYTES) {
    frames.push(frame(handlerId, bytes.subarray(start, Math.min(whole, start + MAX_FRAME_BYTES))))
  }
  return [whole === bytes.length ? undefined : bytes.slice(whole), frames]
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * `audio` as the frames of handler `handlerId`, ending with the end marker. A trailing odd byte (half a sample) is
 * dropped; an empty chunk sends nothing (an empty frame would end the audio early); a chunk that is not a
 * `Uint8Array` is `InvalidMessage`.
 */
export const audioFrames = <E, R>(handlerId: number, audio: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E | InvalidMessage, R> =>
  audio.pipe(
    Stream.mapEffect((chunk) =>
      chunk instanceof Uint8Array
        ? Effect.succeed(chunk)
        : Effect.fail(new InvalidMessage({ reason: "assist: every audio chunk must be a Uint8Array" }))
    ),
    Stream.mapAccum(undefined as Carry, (carry, chunk) => splitSamples(handlerId, carry, chunk)),
    Stream.mapConcat((frames) => frames),
    Stream.concat(Stream.sync(() => Uint8Array.of(handlerId)))
  )
