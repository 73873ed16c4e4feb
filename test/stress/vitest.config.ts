import { defineConfig } from "vitest/config"

// `npm run test:stress`: soak, flood and concurrency runs that print their figures. Forks with --expose-gc so
// heap figures are taken after a full collection.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/stress/**/*.stress.ts"],
    pool: "forks",
    poolOptions: { forks: { execArgv: ["--expose-gc"], singleFork: true } },
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-stress-report.json" },
    testTimeout: 600_000,
    hookTimeout: 60_000
  }
})
