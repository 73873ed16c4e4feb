/**
 * The simulator's `POST /auth/token` for `grant_type=refresh_token`, answered as HA's `auth` component does:
 * `{ access_token, token_type: "Bearer", expires_in }`, 400 `invalid_request` / `invalid_grant` for a bad request or
 * refresh token. Access tokens it issues expire on the Effect clock.
 */
import type { IncomingMessage, ServerResponse } from "node:http"

/** The token endpoint's state. */
export interface TokenIssuer {
  /** The refresh token it honours; `undefined` once revoked. */
  refreshToken: string | undefined
  /** The client id the refresh token belongs to; `undefined` accepts any non-empty one. */
  readonly clientId: string | undefined
  readonly lifetimeSeconds: number
  /** Issued access tokens and when they expire (epoch ms). */
  readonly issued: Map<string, number>
  /** When set, every token request is answered with this HTTP status (an HA that is starting, a proxy error). */
  failStatus: number | undefined
  requests: number
}

const send = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
  response.end(JSON.stringify(body))
}

/** Answers one HTTP request: `/auth/token`, or 404. */
export const handleHttp = (issuer: TokenIssuer, now: () => number, request: IncomingMessage, response: ServerResponse): void => {
  if (request.method !== "POST" || request.url?.split("?")[0] !== "/auth/token") {
    return send(response, 404, { message: "Not Found" })
  }
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    issuer.requests++
    if (issuer.failStatus !== undefined) return send(response, issuer.failStatus, { message: "Simulated failure" })
    const form = new URLSearchParams(Buffer.concat(chunks).toString())
    const clientId = form.get("client_id")
    if (form.get("grant_type") !== "refresh_token") return send(response, 400, { error: "unsupported_grant_type" })
    if (clientId === null || clientId === "") return send(response, 400, { error: "invalid_request", error_description: "Invalid client id" })
    const token = form.get("refresh_token")
    if (token === null) return send(response, 400, { error: "invalid_request" })
    if (issuer.refreshToken === undefined || token !== issuer.refreshToken) return send(response, 400, { error: "invalid_grant" })
    if (issuer.clientId !== undefined && clientId !== issuer.clientId) {
      return send(response, 400, { error: "invalid_request", error_description: "Invalid client id" })
    }
    const accessToken = `sim-access-${issuer.issued.size + 1}`
    issuer.issued.set(accessToken, now() + issuer.lifetimeSeconds * 1000)
    send(response, 200, { access_token: accessToken, token_type: "Bearer", expires_in: issuer.lifetimeSeconds })
  })
}

/** Whether `token` is an issued access token that has not expired. */
export const isIssued = (issuer: TokenIssuer, token: string, now: number): boolean => (issuer.issued.get(token) ?? 0) > now
