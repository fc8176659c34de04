/**
 * Status reads served from memory (shared/tenants/row-cache.ts): a change announced on
 * tenant_status is seen at once, whichever process made it; this process's own destroy is seen
 * by the very next read; the organisation is checked on a cached row too; and what changes
 * without an announcement (the health counters) lags by at most STATUS_CACHE_MS. The stack's
 * cache keeps rows for a minute, so only an eviction can explain a change seen within the test.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, waitFor, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("status-cache", { STATUS_CACHE_MS: "60000" }, { workers: 0 });
  org = await stack.newOrg("status-cache");
});
afterAll(async () => {
  await stack?.stop();
});

async function spawnPending(name: string): Promise<number> {
  const res = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name, language: "node", framework: "express" } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.tenant.envId as number;
}

const status = async (envId: number, token = org.token) => stack.api(`/api/v1/tenant/${envId}/status`, { token });

it("a status change made elsewhere is seen as soon as it is announced, not when the cached row expires", async () => {
  const envId = await spawnPending("cache-announced");
  expect((await status(envId)).body.tenant.status).toBe("pending");
  expect((await status(envId)).body.tenant.status).toBe("pending"); // now cached
  // What a worker's transition does: the row and the announcement in one transaction.
  await stack.sql.begin(async (tx) => {
    await tx`update tenants set status = 'provisioning', updated_at = now() where env_id = ${envId}`;
    await tx`select pg_notify('tenant_status', ${JSON.stringify({ envId, orgId: org.id, status: "provisioning" })})`;
  });
  await waitFor(async () => (await status(envId)).body.tenant.status === "provisioning", { timeoutMs: 5_000, intervalMs: 20, what: "the announced status" });
});

it("a change nobody announced (the health counters) shows once the cached row expires, and at once where the cache is off", async () => {
  const envId = await spawnPending("cache-unannounced");
  await status(envId); // cached for a minute here
  await stack.sql`update tenants set consecutive_failures = 7 where env_id = ${envId}`;
  expect((await status(envId)).body.tenant.health.consecutiveFailures).toBe(0);
  const uncached = await stack.startExtraApi({ STATUS_CACHE_MS: "0" });
  const direct = await fetch(`${uncached.url}/api/v1/tenant/${envId}/status`, { headers: { authorization: `Bearer ${org.token}` } });
  expect(((await direct.json()) as { tenant: { health: { consecutiveFailures: number } } }).tenant.health.consecutiveFailures).toBe(7);
  const shortLived = await stack.startExtraApi({ STATUS_CACHE_MS: "200" });
  const read = async () =>
    (
      (await (await fetch(`${shortLived.url}/api/v1/tenant/${envId}/status`, { headers: { authorization: `Bearer ${org.token}` } })).json()) as {
        tenant: { health: { consecutiveFailures: number } };
      }
    ).tenant.health.consecutiveFailures;
  expect(await read()).toBe(7);
  await stack.sql`update tenants set consecutive_failures = 8 where env_id = ${envId}`;
  await waitFor(async () => (await read()) === 8, { timeoutMs: 5_000, intervalMs: 50, what: "the expired row to be read again" });
});

it("this process's own destroy is seen by the next read, and a cached row is still another organisation's 404", async () => {
  const envId = await spawnPending("cache-destroyed");
  await status(envId);
  const other = await stack.newOrg("status-cache-other");
  const foreign = await status(envId, other.token);
  expect(foreign.status).toBe(404);
  expect(foreign.body.error.code).toBe("NOT_FOUND");
  expect((await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token })).status).toBe(202);
  expect((await status(envId)).body.tenant.status).toMatch(/^(destroying|destroyed)$/);
});
