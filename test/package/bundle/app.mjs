// A small app as a user deploys it: bundled by esbuild for Node (ESM or CJS, no banner, nothing external) from the
// installed package, then run on its own. Prints the Promise adapter's request reply and the transport it used.
import { createWebSocketInterface } from "effect-ws-gateway"

const main = async () => {
  const ws = createWebSocketInterface()
  try {
    const reply = await ws.execute("request", { url: process.argv[2], message: { bundled: true } })
    // Which transport it got: ws sends handshake headers; the global WebSocket refuses them by name.
    const headers = await ws.execute("request", { url: process.argv[2], message: "h", headers: { "X-Key": "k" } })
      .then(() => "sent", (error) => error._tag)
    console.log(JSON.stringify({ reply, headers }))
  } catch (error) {
    console.log(JSON.stringify({ failed: error._tag, message: error.message }))
  } finally {
    await ws.dispose()
  }
}
main()
