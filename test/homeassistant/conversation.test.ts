// conversation/process against the simulator's agent: typed answers, a kept conversation, HA's no_intent_match and
// no_valid_targets answers, and bad input refused before anything is sent.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { InvalidMessage, spokenAnswer } from "../../src/index.js"
import { connect } from "./kit.js"

describe("Home Assistant conversationProcess (simulator)", () => {
  it.scoped("turn on / off changes the entity and answers action_done with its target; what is answers its state", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const on = yield* ha.conversationProcess("turn on the coffee maker")
      expect(on.response).toMatchObject({
        response_type: "action_done",
        language: "en",
        speech: { plain: { speech: "Turned on the switch" } },
        data: { targets: [], success: [{ name: "Coffee Maker", type: "entity", id: "switch.coffee_maker" }], failed: [] }
      })
      expect(sim.states.find((s) => s.entity_id === "switch.coffee_maker")?.state).toBe("on")
      const query = yield* ha.conversationProcess("What's the outdoor temperature?", { conversationId: on.conversation_id ?? "" })
      expect(query.response.response_type).toBe("query_answer")
      expect(spokenAnswer(query)).toBe("Outdoor Temperature is 11.5 °C")
      expect(query.conversation_id).toBe(on.conversation_id)
      expect(sim.received.filter((r) => r.message.type === "conversation/process").map((r) => r.message)).toStrictEqual([
        { id: 2, type: "conversation/process", text: "turn on the coffee maker" },
        { id: 3, type: "conversation/process", text: "What's the outdoor temperature?", conversation_id: on.conversation_id }
      ])
    }))

  it.scoped("no intent matched: HA's answer, response_type error with code no_intent_match; an unknown device: no_valid_targets", () =>
    Effect.gen(function*() {
      const { ha } = yield* connect()
      const nothing = yield* ha.conversationProcess("sing me a song", { language: "en", agentId: "conversation.home_assistant" })
      expect(nothing.response).toStrictEqual({
        speech: { plain: { speech: "Sorry, I couldn't understand that", extra_data: null } },
        card: {},
        language: "en",
        response_type: "error",
        data: { code: "no_intent_match" }
      })
      expect(nothing.continue_conversation).toBe(false)
      const unknown = yield* ha.conversationProcess("turn on the garage door")
      expect(unknown.response).toMatchObject({ response_type: "error", data: { code: "no_valid_targets" } })
      expect(spokenAnswer(unknown)).toBe("Sorry, I am not aware of any device called garage door")
    }))

  it.scoped("bad input is InvalidMessage naming the call, and nothing is sent", () =>
    Effect.gen(function*() {
      const { ha, sim } = yield* connect()
      const notText = yield* Effect.flip(ha.conversationProcess(42 as never))
      expect(notText).toBeInstanceOf(InvalidMessage)
      expect(notText.message).toContain("conversationProcess")
      const badOption = yield* Effect.flip(ha.conversationProcess("hi", { conversationId: 7 as never }))
      expect(badOption.message).toContain("conversationId")
      expect(sim.count("conversation/process")).toBe(0)
    }))
})
