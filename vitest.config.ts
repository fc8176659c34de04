import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";
import RunLastSequencer from "./tests/sequencer.js";

// Workspace packages (@convergence/sdk) resolve to their TypeScript source, as under tsc and the CLI.
const conditions = ["convergence-source", ...defaultServerConditions];

export default defineConfig({
  ssr: { resolve: { conditions } },
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
