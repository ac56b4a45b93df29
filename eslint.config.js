// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "**/*.js", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-properties": [
        "error",
        { object: "describe", property: "only", message: "no .only in committed tests" },
        { object: "it", property: "only", message: "no .only in committed tests" },
        { object: "test", property: "only", message: "no .only in committed tests" },
      ],
    },
  },
  // The architecture, enforced: entry points → parts → spec → core (shared ground).
  {
    files: ["core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/spec/**", "**/rulegen/**", "**/dashboards/**", "**/webhook-receiver/**"],
              message: "core/ is shared ground: it imports no part",
            },
            {
              group: ["**/exporters/**", "**/demo/**", "**/cli/main.js"],
              message: "core/ imports no part",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["spec/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/rulegen/**",
                "**/dashboards/**",
                "**/webhook-receiver/**",
                "**/exporters/**",
              ],
              message: "the spec knows none of its readers (DESIGN.md)",
            },
            { group: ["**/demo/**", "**/cli/main.js"], message: "the spec imports no entry point" },
          ],
        },
      ],
    },
  },
  {
    files: [
      "rulegen/**/*.ts",
      "dashboards/**/*.ts",
      "webhook-receiver/**/*.ts",
      "exporters/**/*.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/cli/main.js", "**/demo/**"],
              message: "parts never import an entry point",
            },
          ],
        },
      ],
    },
  },
);
