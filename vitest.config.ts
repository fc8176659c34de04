import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";
import RunLastSequencer from "./tests/sequencer.js";

// Workspace packages (@convergence/sdk) resolve to their TypeScript source, as under tsc and the CLI.
const conditions = ["convergence-source", ...defaultServerConditions];

/** The unit tier: tests that need no Postgres, Redis, Docker or browser (`npm run test:unit`). */
const unitTests = "tests/unit/**/*.test.ts";

// The test suite's local swarm is the `cvgt` cluster, beside (never the same as) `npm run cluster`'s
// `cvg` one: scripts/cluster/state.ts. Set here so that the global set-up and every worker agree.
process.env.CVG_CLUSTER = "cvgt";

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    // The files share one Docker engine and one 2-core machine: run them one after another.
    fileParallelism: false,
    // Default order (failed, slow, large first), except zz-*.test.ts last: see tests/sequencer.ts.
    sequence: { sequencer: RunLastSequencer },
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    projects: [
      // No global set-up: no database to migrate, no Docker to touch. `npm test` runs it first, on its own.
      { extends: true, test: { name: "unit", include: [unitTests], sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          exclude: [unitTests],
          globalSetup: ["tests/global-setup.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
