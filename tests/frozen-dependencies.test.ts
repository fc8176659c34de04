/**
 * Deadlines: with Postgres or Redis frozen (SIGSTOP: connections stay open, nothing answers),
 * every operation in /openapi.json answers within REQUEST_TIMEOUT_MS (5 s, the default): 503
 * DEPENDENCY_UNAVAILABLE with Retry-After where it needs the frozen one. Held requests bound
 * their own reads. After SIGCONT the API serves again by itself, and a request answered 503
 * leaves nothing behind. On a private Postgres and a private Redis, never the shared ones.
 */
import { gzipSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../shared/db/schema.js";
import { transitionTenant } from "../shared/tenants/transition.js";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "./helpers/private-postgres.js";
import { startPrivateRedis, type PrivateRedis } from "./helpers/private-redis.js";
import { startStack, waitFor, type Stack } from "./helpers/stack.js";

const REQUEST_TIMEOUT_MS = 5_000;
/** What the client allows on top of the server's deadline: scheduling on two busy cores, not a hang. */
const MARGIN_MS = 2_000;
const adminToken = `cvg_org_${"f".repeat(40)}`;

let pg: PrivatePostgres;
let redis: PrivateRedis;
let stack: Stack;
let org: { id: number; token: string };
let operations: Array<{ method: string; path: string; operationId: string }>;

beforeAll(async () => {
  const missing = privatePostgresUnavailable();
  if (missing) throw new Error(`cannot run a private Postgres: ${missing}; run scripts/setup.sh as root`);
  [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  stack = await startStack("frozen", { DATABASE_URL: pg.url, REDIS_URL: redis.url, CONVERGENCE_ADMIN_TOKEN: adminToken, LOGS_TIMEOUT_MS: "1000" }, { workers: 0 });
  expect(stack.config.REQUEST_TIMEOUT_MS).toBe(REQUEST_TIMEOUT_MS);
  org = await stack.newOrg("frozen");
  const doc = (await stack.api("/openapi.json")).body as { paths: Record<string, Record<string, { operationId: string }>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId })));
});
afterAll(async () => {
  pg?.thaw();
  redis?.thaw();
  await stack?.stop().catch(() => {});
  pg?.destroy();
  await redis?.destroy();
});

/** A ready tenant (no worker here: moved by the test) with its key, used once so its key is cached. */
async function readyTenant(name: string) {
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name, language: "node", framework: "express" } });
  expect(spawned.status).toBe(202);
  const { envId, apiKey } = spawned.body.tenant as { envId: number; apiKey: string };
  for (const [from, to] of [
    ["pending", "provisioning"],
    ["provisioning", "starting"],
    ["starting", "ready"],
  ] as const) {
    await transitionTenant(stack, { envId, from: [from], to, reason: "moved by the test", actor: "test" });
  }
  // A dashboard session too, for the session operations.
  const signedIn = await fetch(`${stack.url}/api/v1/auth/session`, { method: "POST", headers: { authorization: `Bearer ${org.token}` } });
  expect(signedIn.status).toBe(200);
  const cookies = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const csrf = cookies.find((c) => c.startsWith("cvg_csrf="))!.slice("cvg_csrf=".length);
  return { envId, apiKey, session: { cookie: cookies.join("; "), "x-csrf-token": csrf } };
}

type ReadyTenant = Awaited<ReturnType<typeof readyTenant>>;

/** One valid request per operation, by operationId: a new operation must be added here to be covered. */
function requestFor(op: { operationId: string; path: string }, t: ReadyTenant) {
  const path = op.path.replace("{id}", String(t.envId));
  const orgToken = { authorization: `Bearer ${org.token}` };
  const table: Record<string, { path?: string; headers?: Record<string, string>; body?: unknown; raw?: Buffer }> = {
    spawnTenant: { headers: orgToken, body: { name: "during-freeze", language: "node", framework: "express" } },
    getTenantStatus: { headers: orgToken },
    streamTenantEvents: { headers: orgToken },
    listTenants: { headers: orgToken },
    destroyTenant: { headers: orgToken },
    getTenantLogs: { headers: orgToken },
    listTenantWebhooks: { headers: orgToken },
    getWebhookSecret: { headers: orgToken },
    rotateWebhookSecret: { headers: orgToken },
    rotateTenantKey: { headers: orgToken },
    getUsage: { headers: orgToken },
    converge: { headers: { authorization: `Bearer ${t.apiKey}` }, body: { prompt: "hello", agentARole: "A", agentBRole: "B" } },
    createAccessToken: { headers: orgToken, body: {} },
    rotateOrganisationToken: { headers: orgToken },
    getJwks: {},
    createOrganisation: { headers: { authorization: `Bearer ${adminToken}` }, body: { name: "during-freeze" } },
    getOrganisation: { headers: orgToken },
    listTemplates: { headers: orgToken },
    streamOrganisationEvents: { headers: orgToken },
    createSession: { headers: orgToken },
    getSession: { headers: { cookie: t.session.cookie } },
    refreshSession: { headers: t.session },
    deleteSession: { headers: t.session },
    heldStatus: { path: `/api/v1/tenant/${t.envId}/status?wait=destroyed&timeout=1`, headers: orgToken },
    getBilling: { headers: orgToken },
    setOrganisationBilling: { path: `/api/v1/orgs/${org.id}/billing`, headers: { authorization: `Bearer ${adminToken}` }, body: { stripeCustomerId: "cus_frozen" } },
    updateTenant: { headers: orgToken, body: { idle: { pauseAfterSeconds: null, stopAfterSeconds: null } } },
    sleepTenant: { headers: orgToken, body: { mode: "stopped" } },
    wakeTenant: { headers: orgToken },
    // Not an archive: with Postgres frozen the tenant lookup comes first (503); otherwise a 400 that stores nothing.
    deployTenant: { headers: { ...orgToken, "content-type": "application/gzip" }, raw: gzipSync(Buffer.from("not a tar")) },
    listDeployments: { headers: orgToken },
    getDeployment: { path: `/api/v1/tenant/${t.envId}/deployments/1`, headers: orgToken },
    getDeploymentLogs: { path: `/api/v1/tenant/${t.envId}/deployments/1/logs`, headers: orgToken },
    rollbackDeployment: { path: `/api/v1/tenant/${t.envId}/deployments/1/rollback`, headers: orgToken },
    setTenantEnv: { headers: orgToken, body: { vars: { DURING_FREEZE: "1" } } },
    getTenantEnv: { headers: orgToken },
    // Billing is off on this stack: Stripe's endpoint answers 404 without reading anything.
    receiveStripeWebhook: { body: { id: "evt_frozen", object: "event", type: "invoice.paid" } },
  };
  const r = table[op.operationId];
  if (!r) throw new Error(`no request for operation ${op.operationId}: add one to this test`);
  if (r.raw) return { path: r.path ?? path, headers: r.headers ?? {}, body: new Uint8Array(r.raw) };
  return {
    path: r.path ?? path,
    headers: { ...r.headers, ...(r.body !== undefined ? { "content-type": "application/json" } : {}) },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  };
}

/** Every operation at once (and a held status request): status, code, and whether it answered within the deadline. */
async function callEverything(t: ReadyTenant) {
  const all = [...operations, { method: "GET", path: "/api/v1/tenant/{id}/status", operationId: "heldStatus" }];
  // Rotating the organisation token last, alone: if it works, the others' token is no longer valid.
  const rotation = all.filter((op) => op.operationId === "rotateOrganisationToken");
  const answers = await Promise.all(all.filter((op) => !rotation.includes(op)).map(call));
  return [...answers, ...(await Promise.all(rotation.map(call)))];

  async function call(op: { method: string; path: string; operationId: string }) {
    {
      const r = requestFor(op, t);
      const started = Date.now();
      const res = await fetch(stack.url + r.path, {
        method: op.method,
        headers: r.headers,
        body: r.body,
        // The held request's own timeout (1 s) comes first, then one bounded read.
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + MARGIN_MS + (op.operationId === "heldStatus" ? 1_000 : 0)),
      }).catch((err: Error) => ({ status: 0, error: err.message }) as const);
      if (!("headers" in res)) return { op: op.operationId, status: 0, code: `no answer: ${res.error}`, retryAfter: null, ms: Date.now() - started };
      const type = res.headers.get("content-type") ?? "";
      // An event stream that opened is the only answer that does not end: its status is all we need.
      const body = type.includes("event-stream") ? (await res.body?.cancel(), null) : ((await res.json().catch(() => null)) as any);
      if (op.operationId === "rotateOrganisationToken" && res.status === 200) org.token = body.token;
      return { op: op.operationId, status: res.status, code: body?.error?.code ?? null, retryAfter: res.headers.get("retry-after"), ms: Date.now() - started };
    }
  }
}

describe("frozen dependencies", () => {
  it("with Postgres frozen every operation answers 503 DEPENDENCY_UNAVAILABLE within the deadline (the public JWKS and access tokens from a remembered organisation token answer); after SIGCONT it serves again and the refused calls left nothing", async () => {
    const t = await readyTenant("pg-frozen");
    expect((await stack.api("/api/v1/converge", { token: t.apiKey, body: { prompt: "warm", agentARole: "A", agentBRole: "B" } })).status).toBe(200);

    pg.freeze();
    let answers;
    try {
      answers = await callEverything(t);
    } finally {
      pg.thaw();
    }
    for (const a of answers) {
      // Answered from memory: the public JWKS, and an access token made from an organisation token this
      // API process verified moments ago (it remembers it until a rotation, which needs Postgres) with
      // the signing key it holds; the templates (files, read at start); and a dashboard session made the same way.
      const fromMemory = ["getJwks", "createAccessToken", "listTemplates", "createSession"];
      if (fromMemory.includes(a.op)) expect([a.op, a.status]).toEqual([a.op, 200]);
      else if (a.op === "receiveStripeWebhook") expect([a.op, a.status]).toEqual([a.op, 404]);
      else expect([a.op, a.status, a.code, a.retryAfter !== null]).toEqual([a.op, 503, "DEPENDENCY_UNAVAILABLE", true]);
    }

    // By itself: no restart, no reconnect by hand.
    await waitFor(async () => (await stack.api("/api/v1/tenant", { token: org.token })).status === 200, { timeoutMs: 30_000, what: "the API to serve again" });
    const after = await stack.api(`/api/v1/tenant/${t.envId}/status`, { token: org.token });
    expect(after.status).toBe(200);
    // What ran on after its 503 (once Postgres answered) committed nothing: no spawn, no new organisation or token.
    await new Promise((r) => setTimeout(r, 1_000)); // let the handlers that outlived their answer finish
    expect(await stack.db.select().from(tenants).where(eq(tenants.name, "during-freeze"))).toEqual([]);
    expect((await stack.sql<{ n: number }[]>`select count(*)::int as n from organisations where name = 'during-freeze'`)[0]!.n).toBe(0);
    expect((await stack.api("/api/v1/org", { token: org.token })).status, "the organisation token was not rotated behind the 503").toBe(200);
    const [row] = await stack.db.select().from(tenants).where(eq(tenants.envId, t.envId));
    expect(row!.apiKeyRotatedAt, "the tenant's key was not rotated behind the 503").toBeNull();
  });

  it("with Redis frozen every operation answers within the deadline: 503 where it needs Redis, its usual answer where not; then it recovers", async () => {
    const t = await readyTenant("redis-frozen");
    redis.freeze();
    let answers;
    try {
      answers = await callEverything(t);
    } finally {
      redis.thaw();
    }
    // A session's cookie is checked against the sessions signed out (kept in Redis): refused when that cannot be read.
    const needRedis = [
      "spawnTenant",
      "destroyTenant",
      "rotateTenantKey",
      "getTenantLogs",
      "streamTenantEvents",
      "streamOrganisationEvents",
      "heldStatus",
      "getOrganisation",
      "getSession",
      "refreshSession",
      "deleteSession",
      "sleepTenant",
      "setTenantEnv",
    ];
    for (const a of answers) {
      expect(a.status, `${a.op} answered`).toBeGreaterThan(0);
      if (needRedis.includes(a.op)) expect([a.op, a.status, a.code]).toEqual([a.op, 503, "DEPENDENCY_UNAVAILABLE"]);
      else expect(a.status, `${a.op}: ${a.code}`).toBeLessThan(500);
    }
    await waitFor(async () => (await stack.api("/api/v1/org", { token: org.token })).status === 200, { timeoutMs: 30_000, what: "the API to use Redis again" });
    const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "after-thaw", language: "node", framework: "express" } });
    expect(spawned.status).toBe(202);
  });
});
