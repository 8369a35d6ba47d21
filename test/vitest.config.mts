import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each run gets its own TMPDIR, removed at the end (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    // Worker-pool, kill/resume and notebook tests start real processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The machine (and CI) has 2 cores; tests that spawn workers must not fight each other.
    fileParallelism: false,
  },
});
