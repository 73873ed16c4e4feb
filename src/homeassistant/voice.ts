/**
 * The client's voice operations, made from its commands: `assist` (an Assist pipeline run as a Stream),
 * `conversationProcess`, `listPipelines` and `signedUrl` (a TTS answer's audio, fetchable).
 */
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { InvalidMessage } from "../core/errors.js"
import { type AssistClient, makeAssist } from "./assist.js"
import { AssistPipelines } from "./assistEvents.js"
import { conversationProcess } from "./conversation.js"
import type { CommandError } from "./errors.js"
import type { CommandMessage } from "./messages.js"
import { decodeResult } from "./schemas.js"
import { signedUrl } from "./signedUrl.js"

/** What the voice operations need of the client. */
export interface VoiceClient {
  readonly sendMessage: (message: CommandMessage) => Effect.Effect<unknown, CommandError>
  readonly subscribeMessage: (message: CommandMessage, options: { readonly resubscribe: false }) => Stream.Stream<unknown, CommandError>
  readonly sendBinary: AssistClient["sendBinary"]
  /** HA's HTTP address, where signed paths are fetched. */
  readonly base: URL
}

const decodePipelines = decodeResult(AssistPipelines, "assist_pipeline/pipeline/list")

/** The voice operations of a client. */
export const makeVoiceOperations = (client: VoiceClient) => {
  const listPipelines: Effect.Effect<AssistPipelines, CommandError | InvalidMessage> = Effect.flatMap(
    Effect.suspend(() => client.sendMessage({ type: "assist_pipeline/pipeline/list" })),
    decodePipelines
  )
  return {
    assist: makeAssist({ subscribe: client.subscribeMessage, sendBinary: client.sendBinary, listPipelines }),
    conversationProcess: conversationProcess(client.sendMessage),
    listPipelines,
    signedUrl: signedUrl(client.sendMessage, client.base)
  }
}

/** The voice operations' types, for the service interface. */
export type VoiceOperations = ReturnType<typeof makeVoiceOperations>
