/**
 * The simulator's recorder commands (history, statistics, logbook) and the HA release that brought each, which the
 * command dispatcher consults.
 */
import type { Client, SimulatorWorld } from "./commands.js"
import { historyDuringPeriod, historyStream } from "./history.js"
import { logbookStream } from "./logbook.js"
import { statisticsDuringPeriod } from "./statistics.js"

type Handler = (world: SimulatorWorld, client: Client, id: number, message: Record<string, unknown>) => void

/** The recorder commands, by type. */
export const recorderCommands: Readonly<Record<string, Handler>> = {
  "history/history_during_period": historyDuringPeriod,
  "history/stream": historyStream,
  "recorder/statistics_during_period": statisticsDuringPeriod,
  "logbook/event_stream": logbookStream
}

/**
 * The release (year, month) that brought each: the history WebSocket API in 2022.5, the live logbook in 2022.6,
 * statistics moved from `history/` to `recorder/` in 2022.10, the live history stream in 2023.2.
 */
export const recorderCommandsSince: Readonly<Record<string, readonly [number, number]>> = {
  "history/history_during_period": [2022, 5],
  "logbook/event_stream": [2022, 6],
  "recorder/statistics_during_period": [2022, 10],
  "history/stream": [2023, 2]
}
