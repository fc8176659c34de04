/** Convergence calls from tenants: key auth, exact metering, quotas, key rotation, usage isolation. */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack("converge");
});
afterAll(async () => {
  await stack?.stop();
});

const body = { prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer" };

async function converge(key: string, payload: unknown = body, header: "bearer" | "x-api-key" = "bearer") {
  return stack.api("/api/v1/converge", {
    body: payload,
    headers: header === "bearer" ? { authorization: `Bearer ${key}` } : { "x-api-key": key },
  });
}

async function usage(token: string, query = "") {
  return stack.api(`/api/v1/usage${query}`, { token });
}

async function spawnReady(token: string, name: string, extra: Record<string, unknown> = {}) {
  const res = await spawnViaApi(stack, token, { name, ...extra });
  expect(res.status).toBe(202);
  const ready = await waitForStatus(stack, token, res.body.tenant.envId, ["ready", "failed"]);
  expect(ready.status).toBe("ready");
  return { ...ready, apiKey: res.body.tenant.apiKey as string };
}

async function destroy(token: string, envId: number) {
  await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token });
  await waitForStatus(stack, token, envId, ["destroyed"]);
}

/** Usage totals are per organisation: each test has its own, so no test sees another's calls. */
const newOrg = () => stack.newOrg("converge");

describe("convergence calls", () => {
  it("a running tenant's starter app converges through the master, and usage shows exactly that one call", async () => {
    const orgA = await newOrg();
    const t = await spawnReady(orgA.token, "conv-app");
    const other = await spawnViaApi(stack, orgA.token, { name: "idle-app" });

    const res = await fetch(`http://127.0.0.1:${t.port}/api/converge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json.success).toBe(true);
    expect(json.result).toMatchObject({ converged: true, provider: "offline" });
    expect(json.result.rounds).toBeGreaterThanOrEqual(1);
    expect(json.result.final).toEqual(expect.any(String));
    expect(json.result.transcript.length).toBeGreaterThanOrEqual(2);

    const u = await usage(orgA.token, `?org_id=${orgA.id}`);
    expect(u.status).toBe(200);
    const mine = u.body.tenants.find((x: { envId: number }) => x.envId === t.envId);
    expect(mine).toMatchObject({ calls: 1, succeeded: 1, errors: 0, refused: 0, rounds: json.result.rounds });
    expect(mine.tokensIn).toBeGreaterThan(0);
    expect(u.body.tenants.find((x: { envId: number }) => x.envId === other.body.tenant.envId)).toBeUndefined();
    expect(u.body.totals.calls).toBe(1);

    // Per-day breakdown and tenant filter: tenant_id is the tenantId (a bare envId is still read).
    expect(t.tenantId).toBe(`tenant_${t.envId}`);
    const daily = await usage(orgA.token, `?granularity=day&tenant_id=${t.tenantId}`);
    expect(daily.body.tenants).toHaveLength(1);
    expect(daily.body.tenants[0]).toMatchObject({ envId: t.envId, tenantId: t.tenantId });
    expect(daily.body.tenants[0].days).toEqual([expect.objectContaining({ day: new Date().toISOString().slice(0, 10), calls: 1 })]);
    expect((await usage(orgA.token, `?tenant_id=${t.envId}`)).body.tenants.map((x: { envId: number }) => x.envId)).toEqual([t.envId]);
    expect((await usage(orgA.token, `?tenant_id=${other.body.tenant.tenantId}`)).body.tenants).toEqual([]);
    for (const bad of ["tenant_", "tenant_0", "tenant_x1", "env_1", "-1"]) {
      const r = await usage(orgA.token, `?tenant_id=${bad}`);
      expect([bad, r.status, r.body.error?.code]).toEqual([bad, 400, "VALIDATION_FAILED"]);
    }

    // The X-API-Key header works too.
    expect((await converge(t.apiKey, body, "x-api-key")).status).toBe(200);

    await destroy(orgA.token, t.envId);
    await destroy(orgA.token, other.body.tenant.envId);
  });

  it("100 concurrent calls for one tenant are all counted, exactly", async () => {
    const orgA = await newOrg();
    const res = await spawnViaApi(stack, orgA.token, { name: "busy" });
    const { envId, apiKey } = res.body.tenant;
    const results = await Promise.all(Array.from({ length: 100 }, () => converge(apiKey)));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    const u = await usage(orgA.token, `?tenant_id=${envId}`);
    expect(u.body.tenants[0]).toMatchObject({ envId, calls: 100, succeeded: 100, refused: 0 });
    await destroy(orgA.token, envId);
  });

  it("a quota of 5 calls per minute refuses calls 6+ with 429 and Retry-After, counted as refused, not used", async () => {
    const orgA = await newOrg();
    const res = await spawnViaApi(stack, orgA.token, { name: "limited", quota: { callsPerMinute: 5 } });
    expect(res.body.tenant.quota).toEqual({ callsPerMinute: 5, callsPerMonth: null });
    const { envId, apiKey } = res.body.tenant;
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await converge(apiKey));
    // The minute may roll over mid-test; in that rare case more than 5 succeed, never fewer.
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok + refused.length).toBe(8);
    if (ok === 5) {
      expect(results.slice(0, 5).every((r) => r.status === 200)).toBe(true);
      for (const r of refused) {
        expect(r.body.error.code).toBe("RATE_LIMITED");
        expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
    const u = await usage(orgA.token, `?tenant_id=${envId}`);
    expect(u.body.tenants[0]).toMatchObject({ calls: ok, refused: refused.length });
    await destroy(orgA.token, envId);
  });

  it("a monthly quota refuses with QUOTA_EXCEEDED", async () => {
    const orgA = await newOrg();
    const res = await spawnViaApi(stack, orgA.token, { name: "monthly", quota: { callsPerMonth: 2 } });
    const { envId, apiKey } = res.body.tenant;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await converge(apiKey));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(statuses[2]!.body.error.code).toBe("QUOTA_EXCEEDED");
    expect(Number(statuses[2]!.headers.get("retry-after"))).toBeGreaterThan(0);
    await destroy(orgA.token, envId);
  });

  it("after key rotation the old key gets 401 and the new key works, from inside the container too", async () => {
    const orgA = await newOrg();
    const t = await spawnReady(orgA.token, "rotating");
    const rotated = await stack.api(`/api/v1/tenant/${t.envId}/rotate-key`, { method: "POST", token: orgA.token });
    expect(rotated.status).toBe(202);
    const newKey = rotated.body.tenant.apiKey;
    expect(newKey).toMatch(/^sk_tenant_/);
    expect(newKey).not.toBe(t.apiKey);

    expect((await converge(t.apiKey)).status).toBe(401);
    expect((await converge(newKey)).status).toBe(200);

    // The new key reaches the app with a new revision, switched to without downtime (docs/deploys.md).
    const revision = rotated.body.deployment.revision;
    const live = await waitFor(
      async () => {
        const r = await stack.api(`/api/v1/tenant/${t.envId}/deployments/${revision}?wait=live&timeout=20`, { token: orgA.token, timeoutMs: 30_000 });
        return ["live", "failed"].includes(r.body?.deployment?.status) ? r.body.deployment : null;
      },
      { timeoutMs: 90_000, what: "the rotate-key revision to go live" },
    );
    expect(live.status, live.error ?? "").toBe("live");
    const ready = await waitForStatus(stack, orgA.token, t.envId, ["ready", "failed"]);
    expect(ready.status).toBe("ready");
    expect(ready.port).toBe(t.port);
    const fromInside = await fetch(`http://127.0.0.1:${t.port}/api/converge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(fromInside.status).toBe(200);
    await destroy(orgA.token, t.envId);
  });

  it("a key rotated through one API process is refused at once by another that had it cached", async () => {
    const orgA = await newOrg();
    const other = await stack.startExtraApi();
    onTestFinished(() => void other.proc.kill("SIGTERM"));
    const res = await spawnViaApi(stack, orgA.token, { name: "two-apis" });
    const { envId, apiKey } = res.body.tenant;
    await waitForStatus(stack, orgA.token, envId, ["ready"]);
    const callOther = (key: string) =>
      fetch(`${other.url}/api/v1/converge`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    // The second process has verified (and cached) the key.
    for (let i = 0; i < 3; i++) expect((await callOther(apiKey)).status).toBe(200);

    const rotated = await stack.api(`/api/v1/tenant/${envId}/rotate-key`, { method: "POST", token: orgA.token });
    expect(rotated.status).toBe(202);
    // The status change is announced (NOTIFY) on commit and the other process evicts the key. Without
    // the eviction it would keep accepting the cached key until the entry expires (30 s): the
    // deadline here is well short of that.
    const evicted = { timeoutMs: 10_000, intervalMs: 5 };
    await waitFor(async () => (await callOther(apiKey)).status === 401, { ...evicted, what: "the old key to be refused by the other API process" });
    expect((await callOther(rotated.body.tenant.apiKey)).status).toBe(200);

    // Destroying through the first process revokes the key in the second one too.
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: orgA.token });
    await waitFor(async () => (await callOther(rotated.body.tenant.apiKey)).status === 401, { ...evicted, what: "the destroyed tenant's key to be refused" });
    await waitForStatus(stack, orgA.token, envId, ["destroyed"]);
  });

  it("a destroyed tenant's key gets 401, and organisation B cannot read organisation A's usage", async () => {
    const [orgA, orgB] = [await newOrg(), await newOrg()];
    const res = await spawnViaApi(stack, orgA.token, { name: "short-lived" });
    const { envId, apiKey } = res.body.tenant;
    expect((await converge(apiKey)).status).toBe(200);
    await destroy(orgA.token, envId);
    const after = await converge(apiKey);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("UNAUTHORIZED");

    // Destroyed tenants still appear in the period they were used in.
    const a = await usage(orgA.token, `?tenant_id=${res.body.tenant.tenantId}`);
    expect(a.body.tenants[0]).toMatchObject({ envId, status: "destroyed", calls: 1 });

    expect((await usage(orgB.token, `?org_id=${orgA.id}`)).status).toBe(403);
    const b = await usage(orgB.token);
    expect(b.body.tenants).toEqual([]);
    expect(b.body.totals.calls).toBe(0);
    const bFiltered = await usage(orgB.token, `?tenant_id=${res.body.tenant.tenantId}`);
    expect(bFiltered.body.tenants).toEqual([]);

    // An organisation token is not a tenant key, and vice versa.
    expect((await converge(orgA.token)).status).toBe(401);
    expect((await usage(apiKey)).status).toBe(401);
  });

  it("bad bodies get 400 JSON and nothing is metered", async () => {
    const orgA = await newOrg();
    const res = await spawnViaApi(stack, orgA.token, { name: "validating" });
    const { envId, apiKey } = res.body.tenant;
    const bad: unknown[] = [
      { agentARole: "A", agentBRole: "B" },
      { ...body, prompt: "x".repeat(20_001) },
      { ...body, prompt: "" },
      { ...body, agentARole: "r".repeat(201) },
      { ...body, agentBRole: "" },
      { ...body, maxRounds: 0 },
      { ...body, maxRounds: 11 },
      { ...body, maxRounds: 2.5 },
      { ...body, prompt: 42 },
      { ...body, agentARole: ["Architect"] },
      { ...body, temperature: 2 },
      "just a string",
    ];
    for (const payload of bad) {
      const r = await converge(apiKey, payload);
      expect(r.status, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(r.body.success).toBe(false);
      expect(r.body.error.code).toBe("VALIDATION_FAILED");
    }
    const malformed = await stack.api("/api/v1/converge", { rawBody: "{nope", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, method: "POST" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("MALFORMED_JSON");
    const u = await usage(orgA.token, `?tenant_id=${envId}`);
    expect(u.body.tenants).toEqual([]);
    await destroy(orgA.token, envId);
  });
});
