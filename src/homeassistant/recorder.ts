/**
 * The recorder's operations of the client: history (once and live), statistics and the logbook. Arguments are checked
 * before anything is sent (untyped callers may pass anything): a bad one is an `InvalidMessage` naming the call, or an
 * `InvalidOption` for a duration, never a defect.
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { CommandError } from "./errors.js"
import {
  history,
  historyDuringPeriod,
  type HistoryPeriodOptions,
  type HistoryStates,
  type HistoryStreamOptions,
  type HistoryUpdate
} from "./history.js"
import type { Send, SubscribeNumbered } from "./internal/recorder.js"
import { logbook, type LogbookOptions, type LogbookUpdate } from "./logbook.js"
import type { CommandOptions } from "./options.js"
import { type Statistics, statisticsDuringPeriod, type StatisticsOptions } from "./statistics.js"

/** The recorder's operations of the client. */
export interface RecorderOperations {
  readonly history: (options?: HistoryStreamOptions) => Stream.Stream<HistoryUpdate, CommandError>
  readonly historyDuringPeriod: (
    options: HistoryPeriodOptions,
    commandOptions?: CommandOptions
  ) => Effect.Effect<HistoryStates, CommandError>
  readonly statisticsDuringPeriod: (
    options: StatisticsOptions,
    commandOptions?: CommandOptions
  ) => Effect.Effect<Statistics, CommandError>
  readonly logbook: (options: LogbookOptions) => Stream.Stream<LogbookUpdate, CommandError>
}

/** The recorder's operations over the client's `sendMessage` and the live session's numbered subscribe. */
export const makeRecorderOperations = (send: Send, subscribeNumbered: SubscribeNumbered): RecorderOperations => ({
  history: history(subscribeNumbered),
  historyDuringPeriod: historyDuringPeriod(send),
  statisticsDuringPeriod: statisticsDuringPeriod(send),
  logbook: logbook(subscribeNumbered)
})
