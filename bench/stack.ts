/**
 * Benchmarks run on the same real stack as the tests (test database, migrated first), with
 * containers of their own: named `cvg<name>-<envId>` and owned by `convergence-<name>`, so a
 * benchmark's clean-up (and its reconciler) touches only what that benchmark made.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../shared/config.js";
import { startStack, testEnv, waitForStatus, type Stack } from "../tests/helpers/stack.js";

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

/**
 * Spawns `n` node/express tenants through the API, ten at a time, each ten waited on until ready.
 * Their env ids are pushed to `envIds` as they are spawned, so a failure half-way still lets the
 * caller destroy what was made.
 */
export async function spawnReady(stack: Stack, token: string, n: number, namePrefix: string, envIds: number[]): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_, j) => stack.api("/api/v1/tenant/spawn", { token, body: { name: `${namePrefix}-${i + j}`, language: "node", framework: "express" } })),
    );
    const ids = batch.map((r) => {
      if (r.status !== 202) throw new Error(`spawn: ${JSON.stringify(r.body)}`);
      return r.body.tenant.envId as number;
    });
    envIds.push(...ids);
    await Promise.all(ids.map((id) => waitForStatus(stack, token, id, ["ready"], 180_000)));
  }
}

/** Destroys the tenants and waits until they are (clean-up: a tenant that does not get there is left to the stack's stop). */
export async function destroyTenants(stack: Stack, token: string, envIds: number[]): Promise<void> {
  await Promise.all(envIds.map((id) => stack.api(`/api/v1/tenant/${id}`, { method: "DELETE", token })));
  await Promise.all(envIds.map((id) => waitForStatus(stack, token, id, ["destroyed"], 180_000).catch(() => {})));
}
