import { defineConfig } from "vitest/config"
import base from "./vitest.config.js"

// For iterating on a few test files: the main config's settings without its global setup, which packs and installs
// the tarball (rebuilding dist/). The package, browser and bundle tests need that setup: run those with the main
// config. Usage: npx vitest run --config test/vitest.quick.config.ts test/homeassistant/releases.test.ts
export default defineConfig({ test: { ...base.test, globalSetup: [], reporters: ["default"], outputFile: {} } })
