/** Printing and recording the stress figures (appended to .stress-figures.json for the reliability report). */
import { appendFileSync } from "node:fs"

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

export const heapAfterGc = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc (npm run test:stress does)")
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

export const report = (name: string, figures: Record<string, string | number>) => {
  const line = Object.entries(figures).map(([k, v]) => `${k}=${v}`).join("  ")
  console.log(`[stress] ${name}: ${line}`)
  appendFileSync(".stress-figures.json", JSON.stringify({ name, date: new Date().toISOString(), ...figures }) + "\n")
}
