// Lint configuration, kept under test/ so the repository's top level stays as the project card fixes it.
import js from "@eslint/js"
import tseslint from "typescript-eslint"

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
      "no-console": ["error", { allow: ["error"] }]
    }
  },
  {
    files: ["test/**/*.ts", "src/main.ts", "src/demo/**/*.ts"],
    rules: { "no-console": "off" }
  },
  {
    // plain Node scripts (child processes of the stress tests)
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", setImmediate: "readonly", console: "readonly" } }
  },
  {
    // the CommonJS consumer of the packed package
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" }
  }
)
