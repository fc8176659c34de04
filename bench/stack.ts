/**
 * Benchmarks run on the same real stack as the tests (test database, migrated first), with
 * containers of their own: named `cvg<name>-<envId>` and owned by `convergence-<name>`, so a
 * benchmark's clean-up (and its reconciler) touches only what that benchmark made.
 */
import { execFileSync } from "node:child_process";
import { projectRoot } from "../shared/config.js";
import { startStack, testEnv } from "../tests/helpers/stack.js";

export async function benchStack(name: string, overrides: NodeJS.ProcessEnv = {}, opts?: Parameters<typeof startStack>[2]) {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { cwd: projectRoot, env: testEnv(), stdio: "ignore" });
  return startStack(name, { CONVERGENCE_INSTANCE: `convergence-${name}`, TENANT_CONTAINER_PREFIX: `cvg${name}-`, ...overrides }, opts);
}
