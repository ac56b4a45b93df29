// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** rulegen's internals; its front doors are compile.js and monitor-view.js. */
const RULEGEN_INTERNALS = [
  "**/rulegen/**",
  "!**/rulegen/compile.js",
  "!**/rulegen/monitor-view.js",
];

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
  // Parts never import an entry point, and reach another part only through its front
  // door: rulegen's compile (the validated model) and monitor-view (what the rules record).
  ...partBoundaries({
    rulegen: ["**/dashboards/**", "**/webhook-receiver/**", "**/exporters/**"],
    dashboards: ["**/webhook-receiver/**", "**/exporters/**", ...RULEGEN_INTERNALS],
    "webhook-receiver": ["**/dashboards/**", "**/exporters/**", ...RULEGEN_INTERNALS],
    exporters: ["**/rulegen/**", "**/dashboards/**", "**/webhook-receiver/**"],
  }),
);

function partBoundaries(forbidden) {
  return Object.entries(forbidden).map(([part, group]) => ({
    files: [`${part}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/cli/main.js", "**/demo/**"],
              message: "parts never import an entry point",
            },
            { group, message: `${part}/ reaches other parts only through their front doors` },
          ],
        },
      ],
    },
  }));
}
