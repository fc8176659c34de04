/**
 * Per-organisation limits and the capacity guard, through the API: over a limit the answer is a
 * 429 (or 503 for capacity) naming the limit, and nothing is created. Also spawn idempotency keys
 * expiring and never showing a rotated key again. The stacks run no worker: tenants stay where
 * the test puts them, and no container is started; what is left is retired at the end.
 */
import { count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../shared/db/schema.js";
import { markTemplateRevisionLive } from "../shared/deploys/revision-one.js";
import { jobs } from "../shared/jobs.js";
import { setLimits, type LimitName } from "../shared/limits/limits.js";
import { transitionTenant } from "../shared/tenants/transition.js";
import { openSse } from "./helpers/sse.js";
import { startStack, waitFor, type Stack } from "./helpers/stack.js";

const orgIds: number[] = [];
const body = (name: string) => ({ name, language: "node", framework: "express" });

/** No worker moves them on: every tenant these tests made is retired, so no later suite's reconciler picks it up. */
async function retireTenants(stack: Stack) {
  if (!orgIds.length) return;
  await stack.sql`delete from port_leases where env_id in (select env_id from tenants where org_id = any(${orgIds}))`;
  await stack.sql`update tenants set status = 'destroyed', destroyed_at = now() where org_id = any(${orgIds})`;
}

async function newOrg(stack: Stack, limits: Partial<Record<LimitName, number>> = {}) {
  const org = await stack.newOrg();
  orgIds.push(org.id);
  if (Object.keys(limits).length) await setLimits(stack.db, org.id, limits);
  return org;
}

const rowsOf = async (stack: Stack, orgId: number) => (await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, orgId)))[0]!.n;
const provisionJobs = async (stack: Stack) => Object.values(await stack.queues.of(jobs.provision).getJobCounts()).reduce((a, b) => a + b, 0);

/** Moves a pending tenant to ready, as a worker would. */
async function makeReady(stack: Stack, envId: number) {
  for (const [from, to] of [
    ["pending", "provisioning"],
    ["provisioning", "starting"],
    ["starting", "ready"],
  ] as const) {
    expect(await transitionTenant(stack, { envId, from: [from], to, reason: "moved by the test", actor: "test" })).not.toBeNull();
  }
  // A ready tenant runs its template's image as its live revision 1, as provisioning records it: a
  // key rotation on Docker makes a new revision from it (docs/deploys.md).
  const image = "convergence-test/moved-by-the-test:1";
  await stack.db.update(tenants).set({ image }).where(eq(tenants.envId, envId));
  await markTemplateRevisionLive(stack, envId, image);
}

describe("capacity guard", () => {
  let stack: Stack;
  beforeAll(async () => {
    // 1000 MB × 0.5 = 500 MB for tenants of 100 MB: five live tenants on the whole platform.
    stack = await startStack("capacity", { CAPACITY_MEMORY_MB: "1000", CAPACITY_MEMORY_SHARE: "0.5", TENANT_MEMORY_MB: "100" }, { workers: 0 });
  });
  afterAll(async () => {
    await retireTenants(stack);
    await stack?.stop();
  });

  it("refuses a spawn with 503 CAPACITY_EXHAUSTED before reserved tenant memory passes its share, whichever organisation asks", async () => {
    const [a, b] = [await newOrg(stack), await newOrg(stack)];
    const live = (await stack.sql<{ n: number }[]>`select count(*)::int as n from tenants where status in ('pending','provisioning','starting','ready','unhealthy')`)[0]!.n;
    expect(live, "this suite starts from a platform without live tenants").toBe(0);
    for (let i = 0; i < 3; i++) expect((await stack.api("/api/v1/tenant/spawn", { token: a.token, body: body(`cap-a-${i}`) })).status).toBe(202);
    for (let i = 0; i < 2; i++) expect((await stack.api("/api/v1/tenant/spawn", { token: b.token, body: body(`cap-b-${i}`) })).status).toBe(202);

    const refused = await stack.api("/api/v1/tenant/spawn", { token: b.token, body: body("cap-b-full") });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("CAPACITY_EXHAUSTED");
    expect(refused.body.error.details).toMatchObject({ allowedMb: 500, reservedMb: 500, tenantMemoryMb: 100 });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await rowsOf(stack, b.id)).toBe(2);

    // A destroyed tenant gives its memory back.
    const [first] = await stack.db.select().from(tenants).where(eq(tenants.orgId, a.id)).limit(1);
    await stack.sql`update tenants set status = 'destroyed' where env_id = ${first!.envId}`;
    expect((await stack.api("/api/v1/tenant/spawn", { token: b.token, body: body("cap-b-room") })).status).toBe(202);
  });
});

describe("organisation limits", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack("limits", { IDEMPOTENCY_KEY_TTL_SECONDS: "3", LOGS_TIMEOUT_MS: "300" }, { workers: 0 });
  });
  afterAll(async () => {
    await retireTenants(stack);
    await stack?.stop();
  });

  it("21 concurrent spawns with a limit of 20 create exactly 20; the 21st is 429 TENANT_LIMIT_REACHED and creates nothing", async () => {
    const org = await newOrg(stack, { maxTenants: 20, spawnsPerMinute: 100 });
    const jobsBefore = await provisionJobs(stack);
    const answers = await Promise.all(Array.from({ length: 21 }, (_, i) => stack.api("/api/v1/tenant/spawn", { token: org.token, body: body(`race-${i}`) })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(20).fill(202), 429]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.body.error).toMatchObject({ code: "TENANT_LIMIT_REACHED", details: { limit: "maxTenants", max: 20, current: 20 } });
    expect(refused.headers.get("retry-after"), "waiting does not help: no Retry-After").toBeNull();
    expect(await rowsOf(stack, org.id)).toBe(20);
    expect((await provisionJobs(stack)) - jobsBefore).toBe(20);

    const info = await stack.api("/api/v1/org", { token: org.token });
    expect(info.status).toBe(200);
    expect(info.body.organisation.id).toBe(org.id);
    expect(info.body.limits).toMatchObject({ maxTenants: 20, spawnsPerMinute: 100, rotationsPerMinute: stack.config.ORG_ROTATIONS_PER_MINUTE });
    expect(info.body.overridden.sort()).toEqual(["maxTenants", "spawnsPerMinute"]);
    expect(info.body.usage).toEqual({ liveTenants: 20, eventStreams: 0, heldWaits: 0, logFollows: 0 });

    // Raising the limit applies to the next request.
    await setLimits(stack.db, org.id, { maxTenants: 21 });
    expect((await stack.api("/api/v1/tenant/spawn", { token: org.token, body: body("race-more") })).status).toBe(202);
  });

  it("the spawn rate is a token bucket shared by every API process: over it, 429 RATE_LIMITED with Retry-After, nothing created", async () => {
    const org = await newOrg(stack, { spawnsPerMinute: 3 });
    const other = await stack.startExtraApi();
    const via = (url: string, name: string) =>
      fetch(`${url}/api/v1/tenant/spawn`, { method: "POST", headers: { authorization: `Bearer ${org.token}`, "content-type": "application/json" }, body: JSON.stringify(body(name)) });
    const first = [await via(stack.url, "r-0"), await via(other.url, "r-1"), await via(stack.url, "r-2")];
    expect(first.map((r) => r.status)).toEqual([202, 202, 202]);
    const jobsBefore = await provisionJobs(stack);
    for (const url of [other.url, stack.url]) {
      const res = await via(url, "r-over");
      expect(res.status).toBe(429);
      const err = ((await res.json()) as any).error;
      expect(err).toMatchObject({ code: "RATE_LIMITED", details: { limit: "spawnsPerMinute", max: 3, window: "minute" } });
      // One token comes back every 20 s.
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(20);
    }
    expect(await rowsOf(stack, org.id)).toBe(3);
    expect(await provisionJobs(stack)).toBe(jobsBefore);
    other.proc.kill("SIGTERM");
  });

  it("destroys, key rotations and log reads have rates of their own", async () => {
    const org = await newOrg(stack, { destroysPerMinute: 1, rotationsPerMinute: 1, logsPerMinute: 1 });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stack.api("/api/v1/tenant/spawn", { token: org.token, body: body(`d-${i}`) })).body.tenant.envId);

    expect((await stack.api(`/api/v1/tenant/${ids[0]}`, { method: "DELETE", token: org.token })).status).toBe(202);
    // Asking again for a tenant already being destroyed takes nothing from the rate.
    expect((await stack.api(`/api/v1/tenant/${ids[0]}`, { method: "DELETE", token: org.token })).status).toBe(202);
    const refused = await stack.api(`/api/v1/tenant/${ids[1]}`, { method: "DELETE", token: org.token });
    expect(refused.status).toBe(429);
    expect(refused.body.error.details).toMatchObject({ limit: "destroysPerMinute", max: 1 });
    expect((await stack.api(`/api/v1/tenant/${ids[1]}/status`, { token: org.token })).body.tenant.status).toBe("pending");

    await makeReady(stack, ids[1]!);
    await makeReady(stack, ids[2]!);
    const rotated = await stack.api(`/api/v1/tenant/${ids[1]}/rotate-key`, { method: "POST", token: org.token });
    expect(rotated.status).toBe(202);
    const [before] = await stack.db.select().from(tenants).where(eq(tenants.envId, ids[2]!));
    const refusedRotation = await stack.api(`/api/v1/tenant/${ids[2]}/rotate-key`, { method: "POST", token: org.token });
    expect(refusedRotation.status).toBe(429);
    expect(refusedRotation.body.error.details).toMatchObject({ limit: "rotationsPerMinute", max: 1 });
    const [after] = await stack.db.select().from(tenants).where(eq(tenants.envId, ids[2]!));
    expect([after!.status, after!.apiKeyHash]).toEqual([before!.status, before!.apiKeyHash]);

    // No worker answers the first (503), but it was a read all the same; the second is over the rate.
    expect((await stack.api(`/api/v1/tenant/${ids[2]}/logs`, { token: org.token })).status).toBe(503);
    const logs = await stack.api(`/api/v1/tenant/${ids[2]}/logs`, { token: org.token });
    expect(logs.status).toBe(429);
    expect(logs.body.error.details).toMatchObject({ limit: "logsPerMinute", max: 1 });
  });

  it("held ?wait= requests and event streams are limited per organisation; a closed one frees its slot", async () => {
    const org = await newOrg(stack, { maxHeldWaits: 2, maxEventStreams: 1 });
    const envId = (await stack.api("/api/v1/tenant/spawn", { token: org.token, body: body("held") })).body.tenant.envId;
    const held = [new AbortController(), new AbortController()];
    const waits = held.map((c) =>
      fetch(`${stack.url}/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { headers: { authorization: `Bearer ${org.token}` }, signal: c.signal }).catch(() => null),
    );
    await waitFor(async () => (await stack.api("/api/v1/org", { token: org.token })).body.usage.heldWaits === 2, { timeoutMs: 10_000, what: "two held waits" });
    const third = await stack.api(`/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { token: org.token });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: "CONCURRENCY_LIMIT_REACHED", details: { limit: "maxHeldWaits", max: 2 } });
    expect(third.headers.get("retry-after")).toBeTruthy();
    // A plain status read is not held, and not limited.
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: org.token })).status).toBe(200);

    held[0]!.abort();
    await waits[0];
    await waitFor(async () => (await stack.api("/api/v1/org", { token: org.token })).body.usage.heldWaits === 1, { timeoutMs: 10_000, what: "the aborted wait to free its slot" });
    const again = new AbortController();
    const accepted = fetch(`${stack.url}/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { headers: { authorization: `Bearer ${org.token}` }, signal: again.signal }).catch(() => null);
    await waitFor(async () => (await stack.api("/api/v1/org", { token: org.token })).body.usage.heldWaits === 2, { timeoutMs: 10_000, what: "the new wait to be held" });
    again.abort();
    held[1]!.abort();
    await Promise.all([accepted, waits[1]]);

    const stream = await openSse(`${stack.url}/api/v1/tenant/${envId}/events`, { token: org.token });
    try {
      expect(stream.status).toBe(200);
      const second = await stack.api(`/api/v1/tenant/${envId}/events`, { token: org.token });
      expect(second.status).toBe(429);
      expect(second.body.error.details).toMatchObject({ limit: "maxEventStreams", max: 1 });
    } finally {
      stream.abort();
    }
    const next = await waitFor(
      async () => {
        const s = await openSse(`${stack.url}/api/v1/tenant/${envId}/events`, { token: org.token });
        if (s.status === 200) return s;
        s.abort();
        return null;
      },
      { timeoutMs: 10_000, what: "a new stream once the first is closed" },
    );
    next.abort();
  });

  it("an Idempotency-Key replays its spawn within its window, without the key once it was rotated, and is free again after", async () => {
    const org = await newOrg(stack);
    const spawn = (name = "idem") => stack.api("/api/v1/tenant/spawn", { token: org.token, body: body(name), headers: { "idempotency-key": "same-key" } });
    const first = await spawn();
    expect(first.status).toBe(202);
    const { envId, apiKey } = first.body.tenant;
    expect(apiKey).toMatch(/^sk_tenant_/);

    const replay = await spawn();
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.tenant).toMatchObject({ envId, apiKey });
    expect((await spawn("other-body")).body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");

    await makeReady(stack, envId);
    const rotated = await stack.api(`/api/v1/tenant/${envId}/rotate-key`, { method: "POST", token: org.token });
    expect(rotated.status).toBe(202);
    const afterRotation = await spawn();
    expect(afterRotation.status).toBe(202);
    expect(afterRotation.body.tenant.envId).toBe(envId);
    expect(afterRotation.body.tenant).not.toHaveProperty("apiKey");
    expect(JSON.stringify(afterRotation.body)).not.toContain(rotated.body.tenant.apiKey);

    // Past IDEMPOTENCY_KEY_TTL_SECONDS (3 s here) the key makes a new tenant.
    const fresh = await waitFor(
      async () => {
        const r = await spawn();
        return r.status === 202 && r.body.tenant.envId !== envId ? r : null;
      },
      { timeoutMs: 15_000, intervalMs: 500, what: "the key to expire" },
    );
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(fresh.body.tenant.apiKey).toMatch(/^sk_tenant_/);
    // And that one replays in its own window.
    expect((await spawn()).body.tenant.envId).toBe(fresh.body.tenant.envId);
    expect(
      (
        await stack.db
          .select({ n: count() })
          .from(tenants)
          .where(inArray(tenants.orgId, [org.id]))
      )[0]!.n,
    ).toBe(2);
  });
});
