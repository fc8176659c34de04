/**
 * Benchmarks run on the same real stack as the tests (test database, migrated first), with
 * containers of their own: named `cvg<name>-<envId>` and owned by `convergence-<name>`, so a
 * benchmark's clean-up (and its reconciler) touches only what that benchmark made.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../shared/config.js";
import { startStack, testEnv } from "../tests/helpers/stack.js";

export async function benchStack(name: string, overrides: NodeJS.ProcessEnv = {}, opts?: Parameters<typeof startStack>[2]) {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { cwd: projectRoot, env: testEnv(), stdio: "ignore" });
  // Benchmarks measure speed, not the per-organisation limits: one organisation spawns up to hundreds of tenants.
  const unlimited = { ORG_MAX_TENANTS: "1000", ORG_SPAWNS_PER_MINUTE: "100000", ORG_DESTROYS_PER_MINUTE: "100000", ORG_MAX_HELD_WAITS: "1000" };
  return startStack(name, { CONVERGENCE_INSTANCE: `convergence-${name}`, TENANT_CONTAINER_PREFIX: `cvg${name}-`, ...unlimited, ...overrides }, opts);
}

/** Builds dist/ (tsc), for benchmarks that run the API and the worker compiled, as production does. */
export function buildCompiled(): void {
  execFileSync(join(projectRoot, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: projectRoot, stdio: "inherit" });
}
