import { defineConfig } from "vitest/config";
import RunLastSequencer from "./tests/sequencer.js";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    // The files share one Docker engine and one 2-core machine: run them one after another.
    fileParallelism: false,
    // Default order (failed, slow, large first), except zz-*.test.ts last: see tests/sequencer.ts.
    sequence: { sequencer: RunLastSequencer },
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
