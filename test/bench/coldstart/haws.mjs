/* global performance */
// Cold start, Home Assistant: home-assistant-js-websocket 9 with `ws` as its WebSocket (it needs a global one;
// Node 20 has none): `createConnection` (auth_required → auth → auth_ok), then one `call_service`, then close.
// argv: the server's http:// URL, the access token.
import { callService, createConnection, createLongLivedTokenAuth } from "home-assistant-js-websocket"
import WebSocket from "ws"

const loaded = performance.now()
globalThis.WebSocket = WebSocket
createConnection({ auth: createLongLivedTokenAuth(process.argv[2], process.argv[3]) }).then(async (connection) => {
  const reply = await callService(connection, "light", "toggle", undefined, { entity_id: "light.kitchen" })
  process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply })}\n`)
  connection.close()
})
