/**
 * effect-ws-gateway/node: the root entry on Node's `ws` transport, plus that transport itself.
 */
export * from "./index.js"
export { NodeTransportLive } from "./platform/node/NodeTransport.js"
