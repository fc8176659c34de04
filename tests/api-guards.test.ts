/** Bad input and bad credentials: a clear 4xx JSON error, and nothing created (no row, no job, no container). */
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../shared/db/schema.js";
import { jobs } from "../shared/jobs.js";
import { ownedContainers, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
/** Never gets a tenant: every request made with it must leave it with none. */
let orgA: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("guards", { BODY_LIMIT_BYTES: "4096" });
  orgA = await stack.newOrg("guards-a");
});
afterAll(async () => {
  await stack?.stop();
});

const valid = { name: "ok-app", language: "node", framework: "express" };

/** orgA's tenants, and this stack's provision jobs and containers (any state). */
async function created() {
  const [row] = await stack.db.select({ n: count() }).from(tenants).where(eq(tenants.orgId, orgA.id));
  const counts = await stack.queues.of(jobs.provision).getJobCounts();
  return { rows: row!.n, jobs: Object.values(counts).reduce((a, b) => a + b, 0), containers: (await ownedContainers(stack)).length };
}

/** Runs the request and checks that it created nothing: no row for orgA, no job, no container. */
async function createsNothing<T>(request: () => Promise<T>): Promise<T> {
  const before = await created();
  expect(before.rows).toBe(0);
  const result = await request();
  expect(await created()).toEqual(before);
  return result;
}

describe("bad input on spawn", () => {
  const cases: Array<{ what: string; body?: unknown; raw?: string; status: number; code: string; message?: RegExp }> = [
    { what: "missing name", body: { language: "node", framework: "express" }, status: 400, code: "VALIDATION_FAILED", message: /name/ },
    { what: "empty name", body: { ...valid, name: "" }, status: 400, code: "VALIDATION_FAILED", message: /1-63/ },
    { what: "name of 64 characters", body: { ...valid, name: "a".repeat(64) }, status: 400, code: "VALIDATION_FAILED", message: /1-63/ },
    { what: "uppercase and underscore in name", body: { ...valid, name: "My_App" }, status: 400, code: "VALIDATION_FAILED", message: /DNS label/ },
    { what: "name starting with a dash", body: { ...valid, name: "-app" }, status: 400, code: "VALIDATION_FAILED", message: /DNS label/ },
    { what: "name that is a number", body: { ...valid, name: 42 }, status: 400, code: "VALIDATION_FAILED", message: /name/ },
    { what: "unknown language", body: { ...valid, language: "cobol" }, status: 400, code: "UNKNOWN_TEMPLATE", message: /available: .*node\/express/ },
    { what: "unknown framework", body: { ...valid, framework: "rails" }, status: 400, code: "UNKNOWN_TEMPLATE", message: /node\/hono/ },
    { what: "unknown field", body: { ...valid, replicas: 3 }, status: 400, code: "VALIDATION_FAILED", message: /replicas/ },
    { what: "a JSON array", body: [valid], status: 400, code: "VALIDATION_FAILED" },
    { what: "malformed JSON", raw: '{"name": "x",', status: 400, code: "MALFORMED_JSON" },
    { what: "an empty body", raw: "", status: 400, code: "MALFORMED_JSON" },
    { what: "a body over the size limit", body: { ...valid, name: "x".repeat(5000) }, status: 413, code: "PAYLOAD_TOO_LARGE" },
  ];

  it.each(cases)("$what → $status $code, nothing created", async ({ body, raw, status, code, message }) => {
    const res = await createsNothing(() =>
      stack.api("/api/v1/tenant/spawn", {
        method: "POST",
        token: orgA.token,
        ...(raw !== undefined ? { rawBody: raw, headers: { "content-type": "application/json" } } : { body }),
      }),
    );
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe("string");
    if (message) expect(res.body.error.message).toMatch(message);
  });

  it.each([
    ["/api/v1/tenant/abc/status", 400, "VALIDATION_FAILED"],
    ["/api/v1/tenant/0/status", 400, "VALIDATION_FAILED"],
    ["/api/v1/tenant/999999/status", 404, "NOT_FOUND"],
    ["/api/v1/tenant?status=sleeping", 400, "VALIDATION_FAILED"],
    ["/api/v1/tenant?limit=0", 400, "VALIDATION_FAILED"],
    ["/api/v1/tenant/1/logs?tail=-5", 400, "VALIDATION_FAILED"],
    ["/api/v1/nowhere", 404, "NOT_FOUND"],
  ])("GET %s → %i %s", async (path, status, code) => {
    const res = await stack.api(path, { token: orgA.token });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});

describe("authentication and isolation", () => {
  it("no token, a wrong token, or a tenant key instead of an organisation token → 401", async () => {
    await createsNothing(async () => {
      for (const token of [undefined, "cvg_org_not-a-real-token", "sk_tenant_abcdef"]) {
        const res = await stack.api("/api/v1/tenant/spawn", { token, body: valid });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe("UNAUTHORIZED");
        expect((await stack.api("/api/v1/tenant", { token })).status).toBe(401);
      }
      const basic = await stack.api("/api/v1/tenant", { headers: { authorization: "Basic Zm9vOmJhcg==" } });
      expect(basic.status).toBe(401);
    });
  });

  /** Operations anyone may call without credentials: add one here only on purpose. */
  const publicOperations = new Set<string>([
    "GET /.well-known/jwks.json", // public keys, so anyone can verify an access token
    "POST /api/v1/billing/stripe-webhook", // Stripe's: authenticated by its signature of the body (tests/billing.test.ts)
  ]);

  it("every operation in /openapi.json refuses a call without credentials with 401, before touching anything", async () => {
    const doc = await stack.api("/openapi.json");
    expect(doc.status).toBe(200);
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
    // The document lists the API, not an empty shell (spawn, status, events, list, destroy, logs, …).
    expect(operations.length).toBeGreaterThanOrEqual(12);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(["POST /api/v1/tenant/spawn", "POST /api/v1/converge"]));

    const refused: string[] = [];
    await createsNothing(async () => {
      for (const { method, path, op } of operations) {
        const name = `${method} ${path}`;
        if (publicOperations.has(name)) continue;
        expect(op.security?.length, `${name} declares its security`).toBeGreaterThan(0);
        const url = path.replace(/\{[^}]+\}/g, "1");
        const res = await stack.api(url, { method, ...(method === "POST" ? { body: valid } : {}), timeoutMs: 10_000 });
        expect([name, res.status, res.body?.success, res.body?.error?.code]).toEqual([name, 401, false, "UNAUTHORIZED"]);
        refused.push(name);
      }
    });
    expect(refused.length).toBe(operations.length - publicOperations.size);
  });

  it("organisation B cannot see, list or destroy organisation A's tenant", async () => {
    // Organisations of its own: orgA above must never get a tenant.
    const [orgA, orgB] = [await stack.newOrg("guards-owner"), await stack.newOrg("guards-other")];
    const res = await spawnViaApi(stack, orgA.token, { name: "private" });
    expect(res.status).toBe(202);
    const { envId, apiKey } = res.body.tenant;

    const status = await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgB.token });
    expect(status.status).toBe(404);
    expect(JSON.stringify(status.body)).not.toContain("private");
    const list = await stack.api("/api/v1/tenant", { token: orgB.token });
    expect(list.status).toBe(200);
    expect(list.body.tenants.map((t: { envId: number }) => t.envId)).not.toContain(envId);
    const listA = await stack.api(`/api/v1/tenant?org_id=${orgA.id}`, { token: orgB.token });
    expect(listA.status).toBe(403);
    expect((await stack.api(`/api/v1/tenant/${envId}/logs`, { token: orgB.token })).status).toBe(404);
    const del = await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: orgB.token });
    expect(del.status).toBe(404);
    // A tenant's own key is not an organisation token either.
    expect((await stack.api(`/api/v1/tenant/${envId}/status`, { token: apiKey })).status).toBe(401);

    const stillThere = await stack.api(`/api/v1/tenant/${envId}/status`, { token: orgA.token });
    expect(stillThere.body.tenant.status).not.toMatch(/destroy/);

    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: orgA.token });
    await waitForStatus(stack, orgA.token, envId, ["destroyed"]);
  });
});
