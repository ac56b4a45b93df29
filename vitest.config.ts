import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that start Prometheus or Alertmanager spend most of their time waiting on them.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real binaries compete for two cores: keep parallelism modest so timings stay sane.
    maxWorkers: 2,
    allowOnly: false,
    reporters: ["default"],
  },
});
