/**
 * Every `/api/v1/tenant/{id}…` operation, as the served OpenAPI document lists them (so a route
 * added later is walked too), parses its `{id}` strictly: any other spelling of a number (`7.0`,
 * `+7`, `7e0`, `0x7`, `07`, …) is a 400 VALIDATION_FAILED for every credential, and a
 * tenant-limited access token reaches its own tenants only, however the other ones' ids are spelled.
 */
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantEvents, tenants } from "../shared/db/schema.js";
import { spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };
let mine: number;
let theirs: number;
let limited: string;
/** Every operation on one tenant: method and path template, from /openapi.json. */
let operations: Array<{ method: string; path: string }>;

beforeAll(async () => {
  // No worker: tenants stay pending (no containers), and nothing a request queued would be carried out.
  stack = await startStack("tenant-ids", {}, { workers: 0 });
  org = await stack.newOrg("tenant-ids");
  const spawned = [];
  for (const name of ["ids-mine", "ids-theirs"]) {
    const res = await spawnViaApi(stack, org.token, { name });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    spawned.push(res.body.tenant.envId as number);
  }
  [mine, theirs] = spawned as [number, number];
  const minted = await stack.api("/api/v1/auth/token", { token: org.token, body: { tenants: [mine] } });
  expect(minted.status, JSON.stringify(minted.body)).toBe(200);
  limited = minted.body.token;
  const doc = (await stack.api("/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith("/api/v1/tenant/{id}"))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
});

afterAll(async () => {
  if (stack && mine) {
    for (const envId of [mine, theirs]) await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    stack.startWorker();
    for (const envId of [mine, theirs]) await waitForStatus(stack, org.token, envId, ["destroyed"], 30_000).catch(() => {});
  }
  await stack?.stop();
});

/** Other spellings of `envId` as a number, each of which JavaScript's Number() reads as envId. */
const otherSpellings = (envId: number) => [
  `${envId}.0`,
  `${envId}.`,
  `+${envId}`,
  `${envId}e0`,
  `${envId}E0`,
  `${envId * 10}e-1`,
  `0x${envId.toString(16)}`,
  `0o${envId.toString(8)}`,
  `0b${envId.toString(2)}`,
  `0${envId}`,
  `%20${envId}`,
  `${envId}%20`,
  `${envId}%0A`,
  `tenant_0${envId}`,
  `tenant_+${envId}`,
  `tenant_${envId}.0`,
];

const call = (method: string, path: string, id: string, token: string) => stack.api(path.replace("{id}", id), { method, token, timeoutMs: 10_000 });

describe("tenant ids in paths", () => {
  it("the walk covers every tenant operation: status, events, logs, webhooks, rotate-key and destroy", () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    for (const op of [
      "GET /api/v1/tenant/{id}/status",
      "GET /api/v1/tenant/{id}/events",
      "GET /api/v1/tenant/{id}/logs",
      "GET /api/v1/tenant/{id}/webhooks",
      "POST /api/v1/tenant/{id}/rotate-key",
      "DELETE /api/v1/tenant/{id}",
    ]) {
      expect(names).toContain(op);
    }
  });

  it("any other spelling of a tenant id is a 400 VALIDATION_FAILED on every tenant operation, for every credential", async () => {
    for (const { method, path } of operations) {
      for (const envId of [mine, theirs]) {
        for (const id of otherSpellings(envId)) {
          for (const token of [org.token, limited]) {
            const res = await call(method, path, id, token);
            const what = `${method} ${path.replace("{id}", id)} with the ${token === limited ? "limited" : "organisation"} token`;
            expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
            expect(res.body.error.code, what).toBe("VALIDATION_FAILED");
            expect(res.body.error.message, what).toMatch(/tenant id must be an envId/);
          }
        }
      }
    }
  });

  it("a tenant-limited token never reaches another tenant of its organisation, however its id is spelled", async () => {
    const [before] = await stack.db.select().from(tenants).where(eq(tenants.envId, theirs));
    const eventsBefore = await stack.db.select().from(tenantEvents).where(eq(tenantEvents.envId, theirs));
    for (const { method, path } of operations) {
      for (const id of [String(theirs), `tenant_${theirs}`, ...otherSpellings(theirs)]) {
        const res = await call(method, path, id, limited);
        const what = `${method} ${path.replace("{id}", id)}: ${JSON.stringify(res.body)}`;
        expect([400, 404], what).toContain(res.status);
        expect(JSON.stringify(res.body), what).not.toContain("ids-theirs");
      }
    }
    // Nothing happened to it: same key, same state, no new event.
    const [after] = await stack.db.select().from(tenants).where(eq(tenants.envId, theirs));
    expect(after!.status).toBe("pending");
    expect(after!.apiKeyHash).toBe(before!.apiKeyHash);
    expect(after!.updatedAt).toEqual(before!.updatedAt);
    expect(await stack.db.select().from(tenantEvents).where(eq(tenantEvents.envId, theirs))).toEqual(eventsBefore);
  });

  it("the envId and the tenantId both name a tenant, for the limited token on its own tenant and for the organisation token", async () => {
    for (const id of [String(mine), `tenant_${mine}`]) {
      const own = await call("GET", "/api/v1/tenant/{id}/status", id, limited);
      expect(own.status, JSON.stringify(own.body)).toBe(200);
      expect(own.body.tenant.envId).toBe(mine);
    }
    for (const id of [String(theirs), `tenant_${theirs}`]) {
      const hidden = await call("GET", "/api/v1/tenant/{id}/status", id, limited);
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe("NOT_FOUND");
      const seen = await call("GET", "/api/v1/tenant/{id}/status", id, org.token);
      expect(seen.status).toBe(200);
      expect(seen.body.tenant.envId).toBe(theirs);
    }
    expect(
      (
        await stack.db
          .select()
          .from(tenants)
          .where(inArray(tenants.envId, [mine, theirs]))
      ).map((t) => t.status),
    ).toEqual(["pending", "pending"]);
  });
});
