// ESLint for the TypeScript SDK, its tests and the TypeScript examples (make lint).
// Run from the repository root: lint/node_modules/.bin/eslint -c lint/eslint.config.mjs
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const NODE_GLOBALS = {
  process: "readonly",
  console: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
};

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "typescript/src/generated/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: NODE_GLOBALS,
    },
    rules: {
      // Unused names prefixed with _ document an intentionally ignored parameter.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // CommonJS fixtures check that the package loads with require().
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { ...NODE_GLOBALS, require: "readonly", module: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
