/**
 * Operations: readiness that tells the truth about Postgres, Prometheus metrics and the admin-only
 * queue dashboard, both on the operations listener and never on the public API port.
 */
import { randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../shared/crypto.js";
import { organisations } from "../shared/db/schema.js";
import { jobs } from "../shared/jobs.js";
import { tenantStatuses } from "../shared/tenant-state.js";
import { transitionTenant } from "../shared/tenants/transition.js";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "./helpers/private-postgres.js";
import { parsePrometheusText, sampleValue } from "./helpers/prometheus.js";
import { freePort, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

/** Held status waits and open event streams in the stack's API process, from its /metrics. */
const watchers = async (stack: Stack) => sampleValue(parsePrometheusText(await (await fetch(`${stack.opsUrl}/metrics`)).text()), "convergence_api_tenant_watchers");

describe("/readyz against a private Postgres that goes down and comes back", () => {
  let pg: PrivatePostgres;
  let stack: Stack;

  beforeAll(async () => {
    // scripts/setup.sh installs the Postgres server (binaries and the postgres user): missing ones
    // mean the set-up is broken, which must fail here rather than skip.
    const missing = privatePostgresUnavailable();
    if (missing) throw new Error(`cannot run a private Postgres: ${missing}; run scripts/setup.sh as root`);
    pg = await startPrivatePostgres();
    stack = await startStack("readyz", { DATABASE_URL: pg.url }, { workers: 0 });
  });
  afterAll(async () => {
    await stack?.stop().catch(() => {});
    pg?.destroy();
  });

  /**
   * The readiness check bounds its own reads (2 s each): a /readyz that hung with Postgres would
   * not answer before this much longer deadline and the call would fail. The public port's says
   * ok or not; the operations listener's says which dependency and why.
   */
  const readyzAt = async (base: string) => {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as any };
  };
  const readyz = () => readyzAt(stack.opsUrl);
  const publicReadyz = () => readyzAt(stack.url);
  /** What the public /readyz may say: ok, or not ready; no dependency, error text, address or version. */
  const publicUp = { success: true, status: "ok" };
  const publicDown = { success: false, error: { code: "DEPENDENCY_UNAVAILABLE", message: "not ready" } };

  it("answers 503 instead of hanging while Postgres hangs or is stopped, names it only on the operations listener, and 200 once it is back", async () => {
    const up = await readyz();
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ success: true, checks: { postgres: "ok", redis: "ok" } });
    expect(await publicReadyz()).toMatchObject({ status: 200, body: publicUp });

    // Frozen (SIGSTOP): TCP connects but nothing answers, the case where a pool hangs.
    pg.freeze();
    try {
      const hung = await readyz();
      expect(hung.status).toBe(503);
      expect(hung.type).toContain("application/json");
      expect(hung.body.success).toBe(false);
      expect(hung.body.checks.postgres).toMatch(/^down: postgres: no answer within/);
      expect(hung.body.checks.redis).toBe("ok");
      const hungPublicly = await publicReadyz();
      expect(hungPublicly).toMatchObject({ status: 503, type: expect.stringContaining("application/json") });
      expect(hungPublicly.body).toEqual(publicDown);
    } finally {
      pg.thaw();
    }
    await waitFor(async () => (await readyz()).status === 200, { timeoutMs: 30_000, what: "/readyz 200 after thaw" });

    // Stopped: connections are refused.
    pg.stop();
    try {
      const down = await readyz();
      expect(down.status).toBe(503);
      expect(down.body.checks.postgres).toMatch(/^down/);
      expect(await publicReadyz()).toMatchObject({ status: 503, body: publicDown });
    } finally {
      pg.start();
    }
    const back = await waitFor(
      async () => {
        const r = await readyz();
        return r.status === 200 ? r : null;
      },
      { timeoutMs: 30_000, what: "/readyz 200 after restart" },
    );
    expect(back.body.checks).toEqual({ postgres: "ok", redis: "ok" });
    expect((await publicReadyz()).body).toEqual(publicUp);
  });

  it("keeps waking status waits after Postgres restarted (the LISTEN is re-established)", async () => {
    await waitFor(async () => (await readyz()).body.statusFeed === "listening", { timeoutMs: 30_000, what: "the status feed to listen" });
    // Postgres restarts under the running API: the LISTEN connection drops with it.
    pg.stop();
    try {
      await waitFor(async () => (await readyz()).body.statusFeed === "reconnecting", { timeoutMs: 30_000, what: "the status feed to notice" });
    } finally {
      pg.start();
    }
    await waitFor(async () => (await readyz()).body.statusFeed === "listening", { timeoutMs: 30_000, what: "the status feed to listen again" });

    const org = await stack.newOrg();
    // No worker in this stack: the tenant stays pending until the test moves it itself.
    const spawned = await spawnViaApi(stack, org.token, { name: "after-restart" });
    const envId = spawned.body.tenant.envId as number;
    // The server holds the request up to 30 s; only a wake-up answers it before the client's 10 s deadline.
    const held = stack.api(`/api/v1/tenant/${envId}/status?wait=provisioning&timeout=30`, { token: org.token, timeoutMs: 10_000 });
    await waitFor(async () => (await watchers(stack)) === 1, { timeoutMs: 5_000, what: "the status request to be held" });
    await transitionTenant(stack, { envId, from: ["pending"], to: "provisioning", reason: "moved by the test", actor: "test" });
    expect((await held).body.tenant.status).toBe("provisioning");
  });
});

describe("/metrics and the queue dashboard", () => {
  let stack: Stack;
  let org: { id: number; token: string };
  let workerMetricsPort: number;
  const adminToken = `cvg_org_${randomBytes(24).toString("base64url")}`;

  beforeAll(async () => {
    workerMetricsPort = await freePort();
    // METRICS_MIN_REFRESH_MS 0: each scrape reads afresh, so it can be compared with the database.
    // WORKER_METRICS_HOST is left at its default.
    stack = await startStack("ops", { WORKER_METRICS_PORT: String(workerMetricsPort), CONVERGENCE_ADMIN_TOKEN: adminToken, METRICS_MIN_REFRESH_MS: "0" });
    org = await stack.newOrg();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("/metrics is valid Prometheus text whose tenant counts equal the database's", async () => {
    const spawned = await spawnViaApi(stack, org.token, { name: "measured" });
    const envId = spawned.body.tenant.envId as number;
    const ready = await stack.api(`/api/v1/tenant/${envId}/status?wait=ready&timeout=60`, { token: org.token });
    expect(ready.body.tenant.status).toBe("ready");

    const dbCounts = async () => {
      const rows = await stack.sql<{ status: string; count: number }[]>`select status, count(*)::int as count from tenants group by status`;
      return Object.fromEntries(tenantStatuses.map((s) => [s, rows.find((r) => r.status === s)?.count ?? 0]));
    };
    // Compare against a database that did not move while the scrape ran.
    const { families, before } = await waitFor(
      async () => {
        const before = await dbCounts();
        const res = await fetch(`${stack.opsUrl}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toContain("text/plain");
        const families = parsePrometheusText(await res.text());
        const after = await dbCounts();
        return JSON.stringify(before) === JSON.stringify(after) ? { families, before } : null;
      },
      { timeoutMs: 30_000, what: "a scrape while the tenants table is still" },
    );

    expect(families.get("convergence_tenants")?.type).toBe("gauge");
    const scraped = Object.fromEntries(tenantStatuses.map((s) => [s, sampleValue(families, "convergence_tenants", { status: s })]));
    expect(scraped).toEqual(before);
    expect(before.ready).toBeGreaterThanOrEqual(1);

    expect(sampleValue(families, "convergence_metrics_source_up", { source: "postgres" })).toBe(1);
    expect(sampleValue(families, "convergence_metrics_source_up", { source: "redis" })).toBe(1);
    const [firstReadies] = await stack.sql<{ n: number }[]>`select count(distinct env_id)::int as n from tenant_events where to_status = 'ready'`;
    expect(families.get("convergence_tenant_spawn_to_ready_seconds")?.type).toBe("histogram");
    expect(sampleValue(families, "convergence_tenant_spawn_to_ready_seconds_count")).toBe(firstReadies!.n);
    for (const queue of Object.values(jobs).map((j) => j.queue)) {
      expect(sampleValue(families, "convergence_queue_jobs", { queue, state: "waiting" }), queue).toBeGreaterThanOrEqual(0);
    }
    for (const name of ["convergence_calls_total", "convergence_webhook_delivery_attempts_total", "convergence_tenant_transitions_total"]) {
      expect(families.get(name)?.type, name).toBe("counter");
    }
    expect(sampleValue(families, "convergence_tenant_transitions_total", { to: "ready" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, "convergence_http_request_duration_seconds_count", { route: "/api/v1/tenant/:id/status", method: "GET", status: "200" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, "process_resident_memory_bytes", { process: "api" })).toBeGreaterThan(0);

    // The worker's own endpoint: what it observed while provisioning.
    const worker = await waitFor(
      async () => {
        const f = parsePrometheusText(await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text());
        return (sampleValue(f, "convergence_worker_spawn_to_ready_seconds_count") ?? 0) >= 1 ? f : null;
      },
      { timeoutMs: 10_000, what: "the worker's spawn-to-ready observation" },
    );
    expect(sampleValue(worker, "convergence_job_duration_seconds_count", { queue: jobs.provision.queue, name: jobs.provision.name, outcome: "completed" })).toBeGreaterThanOrEqual(1);
    expect(families.get("convergence_job_failures_total")).toBeUndefined(); // per worker, not on the API
    expect(worker.get("convergence_job_failures_total")?.type).toBe("counter");
    expect(sampleValue(worker, "process_resident_memory_bytes", { process: "worker" })).toBeGreaterThan(0);

    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
    await waitForStatus(stack, org.token, envId, ["destroyed"]);
  });

  it("the queue dashboard opens for the admin token or organisation 1, and is refused to everyone else", async () => {
    const get = (path: string, authorization?: string) => fetch(`${stack.opsUrl}${path}`, { headers: authorization ? { authorization } : {} });
    const basic = (password: string) => `Basic ${Buffer.from(`operator:${password}`).toString("base64")}`;

    const anonymous = await get("/admin/queues");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await anonymous.json()).error.code).toBe("UNAUTHORIZED");
    const wrong = await get("/admin/queues/api/queues", `Bearer cvg_org_${randomBytes(24).toString("base64url")}`);
    expect(wrong.status).toBe(401);
    const otherOrg = await get("/admin/queues", `Bearer ${org.token}`);
    expect(otherOrg.status).toBe(403);
    expect(await otherOrg.json()).toMatchObject({ success: false, error: { code: "FORBIDDEN" } });

    const page = await get("/admin/queues", `Bearer ${adminToken}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const asset = /(?:src|href)="([^"]*static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset, "the page references its script").toBeTruthy();
    const assetPath = asset!.startsWith("/") ? asset! : `/admin/queues/${asset}`;
    expect((await get(assetPath, basic(adminToken))).status).toBe(200);
    expect((await get(assetPath)).status).toBe(401);

    const api = await get("/admin/queues/api/queues", basic(adminToken));
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(Object.values(jobs).map((j) => j.queue)));

    // Organisation 1's own token opens it too (with an admin token configured, it is the same secret;
    // here organisation 1 is given a token of its own to show the organisation path).
    const orgOneToken = `cvg_org_${randomBytes(24).toString("base64url")}`;
    await stack.db
      .update(organisations)
      .set({ tokenHash: hashSecret(orgOneToken) })
      .where(eq(organisations.id, 1));
    expect((await get("/admin/queues", `Bearer ${orgOneToken}`)).status).toBe(200);
    expect((await get("/admin/queues", basic(orgOneToken))).status).toBe(200);
  });
});

describe("where the operations endpoints are served", () => {
  let stack: Stack;
  let workerMetricsPort: number;
  const adminToken = `cvg_org_${randomBytes(24).toString("base64url")}`;
  /** An address of this host that is not loopback: what a neighbour on the network would connect to. */
  const hostIp = Object.entries(networkInterfaces())
    .filter(([name]) => !/^(lo|docker|br-|veth|cvg)/.test(name))
    .flatMap(([, addrs]) => addrs ?? [])
    .find((a) => a.family === "IPv4" && !a.internal)?.address;

  beforeAll(async () => {
    expect(hostIp, "a non-loopback IPv4 address on this host").toBeTruthy();
    workerMetricsPort = await freePort();
    stack = await startStack("ops-where", { WORKER_METRICS_PORT: String(workerMetricsPort), CONVERGENCE_ADMIN_TOKEN: adminToken });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("the public API port serves neither /metrics nor the queue dashboard, to anyone", async () => {
    for (const path of ["/metrics", "/admin/queues", "/admin/queues/api/queues"]) {
      for (const headers of [{}, { authorization: `Bearer ${adminToken}` }] as Record<string, string>[]) {
        const res = await fetch(`${stack.url}${path}`, { headers });
        expect(res.status, path).toBe(404);
        expect((await res.json()).error.code).toBe("NOT_FOUND");
      }
    }
  });

  it("by default the operations listener and the worker's metrics answer on loopback only", async () => {
    const opsPort = Number(new URL(stack.opsUrl).port);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`).catch(() => null))?.status === 200, {
      timeoutMs: 30_000,
      what: "the worker's metrics on 127.0.0.1",
    });
    expect((await fetch(`${stack.opsUrl}/metrics`)).status).toBe(200);
    for (const port of [opsPort, workerMetricsPort]) {
      await expect(fetch(`http://${hostIp}:${port}/metrics`), `${hostIp}:${port}`).rejects.toThrow();
    }
  });

  it("an operations listener bound beyond loopback asks for the operator's credentials on /metrics and /readyz too", async () => {
    const org = await stack.newOrg();
    const exposed = await stack.startExtraApi({ OPS_HOST: "0.0.0.0" });
    const metrics = (authorization?: string) => fetch(`${exposed.opsUrl}/metrics`, { headers: authorization ? { authorization } : {} });
    const anonymous = await metrics();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await metrics(`Bearer ${org.token}`)).status).toBe(403);
    const basic = await metrics(`Basic ${Buffer.from(`prometheus:${adminToken}`).toString("base64")}`);
    expect(basic.status).toBe(200);
    expect(await basic.text()).toContain("convergence_tenants");
    expect((await metrics(`Bearer ${adminToken}`)).status).toBe(200);
    // It really is reachable from elsewhere: a neighbour gets the same 401.
    expect((await fetch(`http://${hostIp}:${new URL(exposed.opsUrl).port}/metrics`)).status).toBe(401);
    // Readiness details (dependencies, their errors) likewise.
    expect((await fetch(`${exposed.opsUrl}/readyz`)).status).toBe(401);
    const ready = await fetch(`${exposed.opsUrl}/readyz`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect([ready.status, await ready.json()]).toEqual([200, { success: true, checks: { postgres: "ok", redis: "ok" }, statusFeed: expect.any(String) }]);
  });
});
