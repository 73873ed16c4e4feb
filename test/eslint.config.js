// Lint configuration, kept under test/ so the repository's top level stays as the project card fixes it.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

// A namespace taken from the barrel (`import { Option } from "effect"`) brings its whole module into an esbuild
// bundle; `import * as Option from "effect/Option"` only what is used (an HA app: 17.8 KB gzip over its floor, from 27.5).
const EFFECT_BARREL = {
  name: "effect",
  message: "import the module (import * as Option from \"effect/Option\"): the barrel's namespaces are bundled whole"
}

// The platform-node barrel re-exports all of undici, CommonJS that a bundle must keep and run: 526 KB of the CLI's
// bundle, and a fifth of its start-up, for nothing it uses.
const PLATFORM_NODE_BARREL = {
  name: "@effect/platform-node",
  message: "import the module (import * as NodeRuntime from \"@effect/platform-node/NodeRuntime\"): the barrel brings all of undici"
}

export default tseslint.config(
  { ignores: ["node_modules/**", "coverage/**", "test/bench/.build/**", "dist/**", "docs/**", "test/.readme-blocks/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // `import { type X }` with only types compiles to a bare `import "…"` (a side effect a bundler warns about).
      "@typescript-eslint/no-import-type-side-effects": "error",
      "no-console": ["error", { allow: ["error"] }]
    }
  },
  {
    files: ["src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [EFFECT_BARREL, PLATFORM_NODE_BARREL] }] }
  },
  {
    // Everything a browser bundle can reach: no Node module, no `ws`, no Node global. Only src/platform/node (and
    // the Node-only test kit, CLI and demo) may use them.
    files: [
      "src/core/**/*.ts", "src/platform/web/**/*.ts", "src/interface/**/*.ts", "src/gateway/**/*.ts",
      "src/adapter/**/*.ts", "src/homeassistant/**/*.ts", "src/shared.ts", "src/defaults.ts", "src/web.ts"
    ],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [
          EFFECT_BARREL,
          { name: "ws", message: "the core runs in browsers: only src/platform/node may import ws" },
          {
            name: "@effect/platform",
            message: "import the module (@effect/platform/HttpClient): the barrel's types need the DOM lib, so a strict consumer without it fails"
          }
        ],
        patterns: [{ group: ["node:*"], message: "the core runs in browsers: only src/platform/node may import Node modules" }]
      }],
      "no-restricted-globals": ["error",
        ...["Buffer", "process", "setImmediate", "clearImmediate", "__dirname", "__filename", "require", "global"].map((name) => ({
          name,
          message: "a Node global: the core must run in browsers, Deno and workers too"
        }))
      ]
    }
  },
  {
    files: ["test/**/*.ts", "src/main.ts", "src/demo/**/*.ts", "src/cli/**/*.ts"],
    rules: { "no-console": "off" }
  },
  {
    // plain Node scripts (child processes of the stress tests)
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", setImmediate: "readonly", setTimeout: "readonly", console: "readonly" } }
  },
  {
    // the CommonJS consumer of the packed package
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" }
  }
)
