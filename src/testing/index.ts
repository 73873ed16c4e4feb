/**
 * The public test kit: an in-memory transport with a scriptable server.
 */
export { TestPeer, type ReceivedClose } from "./TestPeer.js"
/** The in-memory kit as one namespace: `WebSocketTest.layer` (a client and its scriptable server), `transportLayer`, `Handshake`. */
export * as WebSocketTest from "./WebSocketTest.js"
export { Handshake, WebSocketTestServer } from "./WebSocketTest.js"
export { HomeAssistantSimulator, type ReceivedCommand, type SimulatorOptions } from "./HomeAssistantSimulator.js"
export type { AssistRun } from "./internal/assist.js"
