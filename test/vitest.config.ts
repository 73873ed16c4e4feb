import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    exclude: ["test/bench/**", "node_modules/**"],
    // The JSON report lets .ci/run print "N passed, N failed", so an empty run is visible.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
    // Packs and installs the tarball once, for the package and browser tests (test/vitest.quick.config.ts skips it,
    // for iterating on other files).
    globalSetup: ["test/package/install.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000
  }
})
