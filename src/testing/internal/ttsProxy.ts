/**
 * The simulator's spoken answers and signed paths: `auth/sign_path` signs a path (HA appends `authSig`), and
 * `GET /api/tts_proxy/<token>.mp3` serves a TTS answer's audio to a request whose `authSig` signs that very path, so a
 * test can tell a signed URL from an unsigned one (HA's own proxy also accepts the token in the file name).
 */
import type { IncomingMessage, ServerResponse } from "node:http"

export class TtsProxy {
  private readonly files = new Map<string, string>()
  private readonly signatures = new Map<string, string>()
  private nextFile = 0
  private nextSignature = 0
  /** Audio files served. */
  served = 0

  /** Makes the audio for `text`; returns its path, as a `tts-end` event's `url` holds it. */
  speak(text: string): string {
    const path = `/api/tts_proxy/sim-${String(++this.nextFile).padStart(4, "0")}.mp3`
    this.files.set(path, text)
    return path
  }

  /** `auth/sign_path`: `path` with an `authSig` that only this path's requests carry. */
  sign(path: string): string {
    const signature = `sim-sig-${++this.nextSignature}`
    const [pathname = "", query] = path.split("?", 2)
    this.signatures.set(signature, pathname)
    return `${pathname}?${query === undefined || query === "" ? "" : `${query}&`}authSig=${signature}`
  }

  /** Answers a TTS audio request (200 with the audio, 401 unsigned, 404 unknown); `false` for any other request. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? "/", "http://simulator")
    if (!url.pathname.startsWith("/api/tts_proxy/")) return false
    const text = this.files.get(url.pathname)
    if (this.signatures.get(url.searchParams.get("authSig") ?? "") !== url.pathname) {
      response.writeHead(401, { "content-type": "text/plain" })
      response.end("401: Unauthorized")
      return true
    }
    if (text === undefined) {
      response.writeHead(404, { "content-type": "text/plain" })
      response.end("404: Not Found")
      return true
    }
    this.served++
    // Not real MP3 audio: an ID3 tag, then the text spoken, so a test can check which answer it fetched.
    response.writeHead(200, { "content-type": "audio/mpeg" })
    response.end(Buffer.concat([Buffer.from("ID3"), Buffer.from(text)]))
    return true
  }
}
