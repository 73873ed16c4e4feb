/**
 * The large-install workload (`--only registry`): a home of 5,000 entities whose entity registry gets a burst of
 * 1,200 `entity_registry_updated` events (an integration reloading), twice. Each contender runs in its own process
 * (registryClient.ts) against its own registryServer.ts, so each CPU figure is the client's alone; rounds are
 * interleaved, medians reported. Counted: registry fetches per burst, and CPU from the burst to a second without a
 * fetch (the median of five bursts after a first one), beside HAWS set up as HA's frontend sets it up, same run.
 */
import { runJson, startServer } from "./processes.js"

/** A row as run.ts prints it (the fields this workload fills). */
export interface LargeInstallRow {
  readonly workload: string
  readonly contender: string
  readonly metric: string
  readonly median: number
  readonly target?: string
  readonly met?: boolean
  readonly note?: string
  readonly digits?: number
}

interface Run {
  readonly setupCpuMs: number
  readonly firstCpuMs: number
  readonly burstCpuMs: number
  readonly fetches: number
  readonly firstFetches: number
  readonly fresh: boolean
  readonly entities: number
}

// Six bursts per process (the first, then five warm ones); two for the refetch-per-event contender, ~6 s of CPU each.
const CONTENDERS = [
  { arg: "ours", name: "our client: entities + entityRegistry (debounce 500 ms)", bursts: 6 },
  { arg: "haws", name: "HAWS: subscribeEntities + getCollection, frontend's debounce(500, leading)", bursts: 6 },
  { arg: "haws-each", name: "HAWS: subscribeEntities + getCollection, a fetch per event", bursts: 2 }
] as const

/** The names run.ts checks ran in a full run. */
export const LARGE_INSTALL_NAMES: ReadonlyArray<string> = CONTENDERS.map((c) => `${c.arg} (registry)`)

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Runs the workload; `ran` gets each contender's name once it ran. */
export const largeInstallWorkload = async (
  size: { readonly entities: number; readonly events: number; readonly rounds: number },
  ran: Set<string>
): Promise<ReadonlyArray<LargeInstallRow>> => {
  const runs = new Map<string, Array<Run>>()
  for (let round = 0; round < size.rounds; round++) {
    for (let i = 0; i < CONTENDERS.length; i++) {
      const contender = CONTENDERS[(round + i) % CONTENDERS.length]!
      const server = await startServer("test/bench/registryServer.ts", [String(size.entities)])
      try {
        const run = await runJson<Run>("test/bench/registryClient.ts", [
          contender.arg,
          String(server.port),
          String(size.events),
          String(contender.bursts)
        ])
        if (run.entities !== size.entities) throw new Error(`${contender.arg}: ${run.entities} entities, not ${size.entities}`)
        runs.set(contender.arg, [...(runs.get(contender.arg) ?? []), run])
        ran.add(`${contender.arg} (registry)`)
      } finally {
        server.stop()
      }
    }
  }
  const workload = `HA large install: ${size.entities.toLocaleString("en")} entities, bursts of ${
    size.events.toLocaleString("en")
  } entity_registry_updated`
  const of = (arg: string, pick: (run: Run) => number) => median((runs.get(arg) ?? []).map(pick))
  const rows: Array<LargeInstallRow> = []
  for (const { arg, name } of CONTENDERS) {
    const all = runs.get(arg) ?? []
    const fresh = all.filter((run) => run.fresh).length
    const fetches = of(arg, (run) => run.fetches)
    const versusHaws = (pick: (run: Run) => number) => of(arg, pick) / of("haws", pick)
    rows.push({
      workload,
      contender: name,
      metric: "registry fetches/burst",
      median: fetches,
      digits: 0,
      note: `first burst ${of(arg, (run) => run.firstFetches)}; registry fresh after the burst in ${fresh} of ${all.length} runs`,
      ...(arg === "ours" ? { target: "1 fetch, fresh", met: fetches === 1 && fresh === all.length } : {})
    })
    rows.push({
      workload,
      contender: name,
      metric: "CPU ms/burst (warm)",
      median: of(arg, (run) => run.burstCpuMs),
      note: `${versusHaws((run) => run.burstCpuMs).toFixed(2)}× HAWS (frontend); first burst ${of(arg, (run) => run.firstCpuMs).toFixed(1)} ms, ${
        versusHaws((run) => run.firstCpuMs).toFixed(2)
      }×`
    })
    rows.push({
      workload,
      contender: name,
      metric: "CPU ms, start (entities + registry)",
      median: of(arg, (run) => run.setupCpuMs),
      note: `${versusHaws((run) => run.setupCpuMs).toFixed(2)}× HAWS (frontend)`
    })
  }
  return rows
}
