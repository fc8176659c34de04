/**
 * Stripe billing, end to end against a local Stripe stand-in (tests/helpers/stripe-standin.ts)
 * driven by the real `stripe` client in the real API and worker processes: metered calls reach
 * Stripe exactly once through injected 429s, 5xxs, dropped connections and lost responses, and
 * through a worker SIGKILLed mid-flush with its Redis keys wiped; hours older than Stripe's window
 * are shown, never sent; totals are reconciled with Stripe's summaries; signed webhooks set the
 * payment state that gates spawns; and with billing off nothing changes.
 *
 * Metering rows are written straight into convergence_calls (as the API writes them), in hours
 * that have already ended, since an hour is reported once it is over.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../shared/config.js";
import { deleteKeys, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";
import { StripeStandIn } from "./helpers/stripe-standin.js";

const ADMIN_TOKEN = `cvg_org_${"b".repeat(40)}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const HOUR = 3600_000;

let standin: StripeStandIn;
let stack: Stack;

beforeAll(async () => {
  standin = await new StripeStandIn().start();
  stack = await startStack("billing", {
    CONVERGENCE_ADMIN_TOKEN: ADMIN_TOKEN,
    STRIPE_SECRET_KEY: standin.secretKey,
    STRIPE_API_URL: standin.url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    BILLING_FLUSH_INTERVAL_MS: "300",
    BILLING_RECONCILE_INTERVAL_MS: "1000",
  });
});

afterAll(async () => {
  await stack?.stop();
  await standin?.stop();
});

const monthKey = (d: Date) => d.toISOString().slice(0, 7);

/** Three ended hours in one UTC month, newest first (hour starts). */
function pastHours(): Date[] {
  let base = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const monthStart = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), 1);
  if (monthStart(base - 2 * HOUR) !== monthStart(base)) base = monthStart(base) - HOUR;
  return [0, 1, 2].map((k) => new Date(base - k * HOUR));
}

/** An organisation created through the API with billing on: Stripe made its customer. */
async function billedOrg(name: string): Promise<{ id: number; token: string; customer: string }> {
  const res = await stack.api("/api/v1/orgs", { token: ADMIN_TOKEN, body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.organisation.id, token: res.body.token, customer: res.body.stripeCustomerId };
}

/** A destroyed tenant row (no container) for metering rows to belong to: billing counts destroyed tenants' calls too. */
async function tenantRow(orgId: number): Promise<number> {
  const tag = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const [row] = await stack.sql<{ env_id: number }[]>`
    insert into tenants (org_id, name, language, framework, status, container_name, api_key_prefix, api_key_hash, api_key_enc, destroyed_at)
    values (${orgId}, 'billed', 'node', 'express', 'destroyed', ${`billing-${tag}`}, 'x', ${`billing-${tag}`}, 'x', now())
    returning env_id`;
  return row!.env_id;
}

type Calls = { orgId: number; envId: number; at: Date; n: number; outcome?: "ok" | "error" | "refused" | "aborted" };

/**
 * Convergence calls as the API records them (`n` of one outcome at `at`), in one transaction: a
 * flush running meanwhile sees all of them or none, so each tenant-hour goes as one event.
 */
async function meter(...batches: Calls[]) {
  await stack.sql.begin(async (tx) => {
    for (const { orgId, envId, at, n, outcome = "ok" } of batches) {
      await tx`
        insert into convergence_calls (org_id, env_id, created_at, outcome, http_status, latency_ms)
        select ${orgId}, ${envId}, ${new Date(at.getTime() + 7 * 60_000).toISOString()}::timestamptz, ${outcome}, 200, 5 from generate_series(1, ${n})`;
    }
  });
}

const billing = (token: string, period: string) => stack.api(`/api/v1/billing?period=${period}`, { token });

/** Waits until nothing of the organisation's month is pending, and answers the report. */
async function settled(token: string, period: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const r = await billing(token, period);
      return r.status === 200 && r.body.calls.metered > 0 && r.body.calls.pending === 0 ? r.body : null;
    },
    { timeoutMs, intervalMs: 200, what: `billing of ${period} to settle` },
  );
}

function signedEvent(type: string, customer: string, opts: { id?: string; created?: number; secret?: string } = {}) {
  const payload = JSON.stringify({
    id: opts.id ?? `evt_${randomBytes(8).toString("hex")}`,
    object: "event",
    type,
    created: opts.created ?? Math.floor(Date.now() / 1000),
    data: { object: { id: `in_${randomBytes(6).toString("hex")}`, object: "invoice", customer } },
  });
  const header = new Stripe(standin.secretKey).webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET });
  return { payload, header };
}

/** `convergence <args>` as a user runs it (the linked bin), against this stack with the organisation's token. */
function convergence(args: string[], token: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), "cvg-billing-cli-"));
  const { CONVERGENCE_URL: _u, CONVERGENCE_TOKEN: _t, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      join(projectRoot, "node_modules/.bin/convergence"),
      args,
      { env: { ...inherited, HOME: home, XDG_CONFIG_HOME: join(home, "xdg"), CONVERGENCE_URL: stack.url, CONVERGENCE_TOKEN: token }, cwd: home, timeout: 120_000 },
      (err, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const postWebhook = (payload: string, signature?: string) =>
  stack.api("/api/v1/billing/stripe-webhook", { method: "POST", rawBody: payload, headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) } });

describe("Stripe billing", () => {
  it("an organisation created with billing on gets its own Stripe customer, shown in GET /api/v1/org", async () => {
    const org = await billedOrg("billing-customer");
    expect(org.customer).toMatch(/^cus_/);
    expect(standin.customers.get(org.customer)?.metadata.convergence_org_id).toBe(String(org.id));
    const res = await stack.api("/api/v1/org", { token: org.token });
    expect(res.status).toBe(200);
    expect(res.body.billing).toEqual({ enabled: true, stripeCustomerId: org.customer, status: "active", reportedThrough: null });
  });

  it("metered calls reach Stripe exactly once through 429s, 5xxs, dropped connections and lost responses; a late call is reported once more", async () => {
    const org = await billedOrg("billing-exact");
    const hours = pastHours();
    const envIds = [await tenantRow(org.id), await tenantRow(org.id), await tenantRow(org.id)];
    let metered = 0;
    const batches: Calls[] = [];
    for (const [t, envId] of envIds.entries()) {
      for (const [h, at] of hours.entries()) {
        batches.push({ orgId: org.id, envId, at, n: 3 + t + h * 2 });
        metered += 3 + t + h * 2;
        // Not billed: errors, refusals and aborted calls.
        batches.push({ orgId: org.id, envId, at, n: 1, outcome: "error" }, { orgId: org.id, envId, at, n: 2, outcome: "refused" }, { orgId: org.id, envId, at, n: 1, outcome: "aborted" });
      }
    }
    const duplicatesBefore = standin.duplicatesRefused;
    const requestsBefore = standin.meterEventRequests();
    standin.faults.push({ kind: "429", retryAfterSeconds: 1 }, { kind: "5xx" }, { kind: "drop" }, { kind: "lost-response" }, { kind: "5xx", status: 503 });
    await meter(...batches);

    const period = monthKey(hours[0]!);
    const report = await settled(org.token, period);
    expect(report.calls).toEqual({ metered, reported: metered, pending: 0, failed: 0, expired: 0 });
    expect(standin.total(org.customer)).toBe(metered);
    // One event per tenant-hour, each accepted once whatever the retries.
    const events = standin.events.filter((e) => e.customer === org.customer);
    expect(events).toHaveLength(envIds.length * hours.length);
    expect(new Set(events.map((e) => e.identifier)).size).toBe(events.length);
    expect(events.every((e) => hours.some((h) => h.getTime() / 1000 === e.timestamp))).toBe(true);
    // The lost response was retried and refused as a duplicate, which counted as delivered.
    expect(standin.duplicatesRefused - duplicatesBefore).toBeGreaterThanOrEqual(1);
    expect(standin.meterEventRequests() - requestsBefore).toBeGreaterThan(events.length);
    expect(standin.faults).toHaveLength(0);
    // Read again: the report above may have started while the last event was still in flight.
    expect((await billing(org.token, period)).body.billing.reportedThrough).toBe(new Date(hours[0]!.getTime() + HOUR).toISOString());

    // A call recorded late into an hour already reported goes as one more event of that hour, with only the difference.
    await meter({ orgId: org.id, envId: envIds[0]!, at: hours[1]!, n: 2 });
    await waitFor(async () => standin.total(org.customer) === metered + 2, { timeoutMs: 30_000, what: "the late calls to reach Stripe" });
    const late = standin.events.filter((e) => e.customer === org.customer && e.identifier.endsWith("-1"));
    expect(late).toEqual([expect.objectContaining({ value: 2, timestamp: hours[1]!.getTime() / 1000 })]);
    expect((await settled(org.token, period)).calls).toMatchObject({ metered: metered + 2, reported: metered + 2 });
  });

  it("calls older than the 35 days Stripe accepts are marked expired and shown, never sent nor re-dated", async () => {
    const org = await billedOrg("billing-expired");
    const envId = await tenantRow(org.id);
    const old = new Date(Math.floor((Date.now() - 35 * 24 * HOUR - 3 * HOUR) / HOUR) * HOUR);
    await meter({ orgId: org.id, envId, at: old, n: 4 });
    const refusedBefore = standin.timestampsRefused;
    const report = await waitFor(
      async () => {
        const r = await billing(org.token, monthKey(old));
        return r.body.calls?.expired === 4 && r.body.problems?.length ? r.body : null;
      },
      { timeoutMs: 30_000, what: "the old hour to be marked expired" },
    );
    expect(report.calls).toEqual({ metered: 4, reported: 0, pending: 0, failed: 0, expired: 4 });
    expect(report.problems).toEqual([expect.objectContaining({ envId, status: "expired", calls: 4, hour: old.toISOString(), reason: expect.stringMatching(/35 days/) })]);
    expect(standin.events.filter((e) => e.customer === org.customer)).toEqual([]);
    expect(standin.timestampsRefused).toBe(refusedBefore);
  });

  it("the reconciler finds no drift when Stripe agrees, and names the reason when Stripe counts more", async () => {
    const org = await billedOrg("billing-reconcile");
    const envId = await tenantRow(org.id);
    const [hour] = pastHours();
    await meter({ orgId: org.id, envId, at: hour!, n: 11 });
    const period = monthKey(hour!);
    await settled(org.token, period);
    const agreed = await waitFor(
      async () => {
        const r = await billing(org.token, period);
        return r.body.stripe?.reported === 11 ? r.body.stripe : null;
      },
      { timeoutMs: 30_000, what: "a reconciliation after delivery" },
    );
    expect(agreed).toMatchObject({ total: 11, drift: 0, reason: null });

    // Another system bills the same customer on the same meter: Stripe's total is higher, and the report says why.
    standin.addExternalEvent(org.customer, 5, hour!.getTime() / 1000 + 60);
    const drifted = await waitFor(
      async () => {
        const r = await billing(org.token, period);
        return r.body.stripe?.drift === 5 ? r.body.stripe : null;
      },
      { timeoutMs: 30_000, what: "the drift to be seen" },
    );
    expect(drifted).toMatchObject({ total: 16, reported: 11, reason: expect.stringMatching(/5 more calls than were reported/) });
    const metrics = await (await fetch(`${stack.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^convergence_billing_drift_calls\{[^}]*\} [1-9]/m);

    // The CLI prints the same: reported vs metered, Stripe's total and the drift's reason.
    const cli = await convergence(["usage", "--billing", "--from", `${period}-01`], org.token);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/METERED +REPORTED +PENDING +FAILED +EXPIRED +STRIPE +DRIFT/);
    expect(cli.stdout).toMatch(/\b11 +11 +0 +0 +0 +16 +5\b/);
    expect(cli.stdout).toMatch(/drift: Stripe shows 5 more calls/);
    const json = await convergence(["usage", "--billing", "--from", `${period}-01`, "--json"], org.token);
    expect(JSON.parse(json.stdout).billing).toMatchObject({ calls: { metered: 11, reported: 11 }, stripe: { drift: 5 }, billing: { stripeCustomerId: org.customer } });
  });

  it("a worker SIGKILLed mid-flush and a wiped Redis lose nothing and double nothing", async () => {
    const org = await billedOrg("billing-kill");
    const hours = pastHours();
    let metered = 0;
    const batches: Calls[] = [];
    for (let t = 0; t < 8; t++) {
      const envId = await tenantRow(org.id);
      for (const at of hours) {
        batches.push({ orgId: org.id, envId, at, n: 2 + t });
        metered += 2 + t;
      }
    }
    const duplicatesBefore = standin.duplicatesRefused;
    // Stripe takes each event at once but answers late: a kill now leaves accepted events the worker never heard of.
    standin.responseDelayMs = 1_500;
    try {
      await meter(...batches);
      await waitFor(async () => standin.events.filter((e) => e.customer === org.customer).length >= 4, { timeoutMs: 30_000, what: "the flush to be under way" });
      const [worker] = stack.workers.filter((w) => w.exitCode === null && w.signalCode === null);
      worker!.kill("SIGKILL");
      await new Promise<void>((r) => (worker!.exitCode === null && worker!.signalCode === null ? worker!.once("exit", () => r()) : r()));
      expect(standin.total(org.customer)).toBeLessThan(metered);
      await deleteKeys(stack.redis, stack.config.QUEUE_PREFIX);
    } finally {
      standin.responseDelayMs = 0;
    }
    stack.startWorker();
    const report = await settled(org.token, monthKey(hours[0]!), 90_000);
    expect(report.calls).toMatchObject({ metered, reported: metered, failed: 0 });
    expect(standin.total(org.customer)).toBe(metered);
    const events = standin.events.filter((e) => e.customer === org.customer);
    expect(events).toHaveLength(8 * hours.length);
    expect(standin.duplicatesRefused - duplicatesBefore).toBeGreaterThanOrEqual(1);
  });

  it("Stripe webhooks set the payment state: unsigned ones and replays change nothing; past due refuses new tenants with 402 while running ones keep running", async () => {
    const org = await stack.newOrg("billing-webhooks");
    const customer = standin.createCustomer("webhooks");
    // Linking is for the operator only, and checked.
    expect((await stack.api(`/api/v1/orgs/${org.id}/billing`, { method: "PUT", token: org.token, body: { stripeCustomerId: customer } })).status).toBe(403);
    const bad = await stack.api(`/api/v1/orgs/${org.id}/billing`, { method: "PUT", token: ADMIN_TOKEN, body: { stripeCustomerId: "acct_123" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_FAILED");
    expect((await stack.api("/api/v1/orgs/2147483000/billing", { method: "PUT", token: ADMIN_TOKEN, body: { stripeCustomerId: customer } })).status).toBe(404);
    const linked = await stack.api(`/api/v1/orgs/${org.id}/billing`, { method: "PUT", token: ADMIN_TOKEN, body: { stripeCustomerId: customer } });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body.billing).toMatchObject({ stripeCustomerId: customer, status: "active" });

    const running = await spawnViaApi(stack, org.token, { name: "keeps-running" });
    expect(running.status).toBe(202);
    await waitForStatus(stack, org.token, running.body.tenant.envId, ["ready"]);
    const statusOf = async () => (await stack.api("/api/v1/org", { token: org.token })).body.billing.status;

    const failed = signedEvent("invoice.payment_failed", customer, { created: Math.floor(Date.now() / 1000) - 60 });
    expect((await postWebhook(failed.payload)).status).toBe(400);
    const forged = signedEvent("invoice.payment_failed", customer, { secret: `whsec_${randomBytes(24).toString("base64")}` });
    const forgedRes = await postWebhook(forged.payload, forged.header);
    expect(forgedRes.status).toBe(400);
    expect(forgedRes.body.error.message).toMatch(/does not verify/);
    expect((await postWebhook(failed.payload.replace("invoice.payment_failed", "invoice.paid"), failed.header)).status).toBe(400);
    expect(await statusOf()).toBe("active");

    const applied = await postWebhook(failed.payload, failed.header);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toMatchObject({ duplicate: false, status: "past_due" });
    expect(await statusOf()).toBe("past_due");
    const refused = await spawnViaApi(stack, org.token, { name: "refused" });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("PAYMENT_REQUIRED");
    expect((await stack.api(`/api/v1/tenant/${running.body.tenant.envId}/status`, { token: org.token })).body.tenant.status).toBe("ready");

    const paid = signedEvent("invoice.paid", customer);
    expect((await postWebhook(paid.payload, paid.header)).body).toMatchObject({ duplicate: false, status: "active" });
    expect(await statusOf()).toBe("active");
    // The failed-payment event again (Stripe retries deliveries): already handled, nothing changes.
    const replay = await postWebhook(failed.payload, new Stripe(standin.secretKey).webhooks.generateTestHeaderString({ payload: failed.payload, secret: WEBHOOK_SECRET }));
    expect(replay.status).toBe(200);
    expect(replay.body.duplicate).toBe(true);
    // A new event older than the one that set the status (Stripe does not promise order) changes nothing either.
    const stale = signedEvent("invoice.payment_failed", customer, { created: Math.floor(Date.now() / 1000) - 3600 });
    expect((await postWebhook(stale.payload, stale.header)).status).toBe(200);
    expect(await statusOf()).toBe("active");
    expect((await spawnViaApi(stack, org.token, { name: "allowed-again" })).status).toBe(202);
  });
});

describe("billing off (no STRIPE_SECRET_KEY)", () => {
  it("nothing changes: no billing jobs, spawns are never refused for payment, billing shows disabled", async () => {
    const off = await startStack("billing-off", { CONVERGENCE_ADMIN_TOKEN: ADMIN_TOKEN });
    try {
      await off.waitForWorkers(1);
      const org = await off.newOrg("billing-off");
      // Even a past-due mark (left from when billing was on) refuses nothing while billing is off.
      await off.sql`update organisations set billing_status = 'past_due' where id = ${org.id}`;
      const spawned = await spawnViaApi(off, org.token, { name: "unbilled" });
      expect(spawned.status).toBe(202);
      const me = await off.api("/api/v1/org", { token: org.token });
      expect(me.body.billing).toMatchObject({ enabled: false, stripeCustomerId: null, reportedThrough: null });
      const created = await off.api("/api/v1/orgs", { token: ADMIN_TOKEN, body: { name: "unbilled-org" } });
      expect(created.body.stripeCustomerId).toBeNull();
      const hook = signedEvent("invoice.paid", "cus_x");
      expect(
        (await off.api("/api/v1/billing/stripe-webhook", { method: "POST", rawBody: hook.payload, headers: { "content-type": "application/json", "stripe-signature": hook.header } })).status,
      ).toBe(404);
      for (const name of ["billing-flush", "billing-reconcile"]) {
        const queue = off.queues.all.find((q) => q.name === name)!;
        expect(await queue.getJobSchedulers()).toEqual([]);
        expect(Object.values(await queue.getJobCounts()).reduce((a, n) => a + n, 0)).toBe(0);
      }
      const other = await off.sql`select count(*)::int as n from billing_meter_events where org_id = ${org.id}`;
      expect(other[0]!.n).toBe(0);
    } finally {
      await off.stop();
    }
  });
});
