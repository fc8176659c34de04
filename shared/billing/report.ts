/**
 * What `GET /api/v1/billing` and `GET /api/v1/org` show: for an organisation and a month, the
 * calls metered, reported to Stripe, pending, failed and expired (they always add up to metered),
 * with the reason for whatever is not reported, and the drift against Stripe's own total.
 */
import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { billingMeterEvents, billingReconciliations, convergenceCalls, organisations } from "../db/schema.js";
import { notFound } from "../errors.js";
import { billingEnabled } from "./stripe-client.js";

export interface BillingView {
  enabled: boolean;
  stripeCustomerId: string | null;
  status: "active" | "past_due";
  /** Every call before this time is reported (or failed or expired, and shown); null: nothing reported yet. */
  reportedThrough: string | null;
}

export async function billingView(db: Db, config: Config, orgId: number): Promise<BillingView> {
  const [org] = await db.select({ customer: organisations.stripeCustomerId, status: organisations.billingStatus }).from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw notFound(`organisation ${orgId}`);
  const enabled = billingEnabled(config);
  if (!enabled) return { enabled, stripeCustomerId: org.customer, status: org.status, reportedThrough: null };
  const rows = (await db.execute(sql`
    select
      (select min(hour_start) from billing_meter_events where org_id = ${orgId} and status = 'pending') as first_pending,
      (select max(hour_start) from billing_meter_events where org_id = ${orgId} and status <> 'pending') as last_settled`)) as unknown as {
    first_pending: string | null;
    last_settled: string | null;
  }[];
  const r = rows[0];
  const through = r?.first_pending ? new Date(r.first_pending) : r?.last_settled ? new Date(new Date(r.last_settled).getTime() + 3600_000) : null;
  return { enabled, stripeCustomerId: org.customer, status: org.status, reportedThrough: through?.toISOString() ?? null };
}

export interface BillingReport {
  billing: BillingView;
  period: { from: string; to: string };
  calls: { metered: number; reported: number; pending: number; failed: number; expired: number };
  /** Why calls are pending, when some are. */
  pendingReason: string | null;
  stripe: { total: number; reported: number; drift: number; reason: string | null; checkedAt: string } | null;
  /** Events Stripe refused for good, and hours too old to send (the newest 20 of each). */
  problems: Array<{ identifier: string; envId: number; hour: string; calls: number; status: "failed" | "expired"; reason: string | null }>;
}

export async function billingReport(db: Db, config: Config, orgId: number, period: { from: Date; to: Date }, now = new Date()): Promise<BillingReport> {
  const billing = await billingView(db, config, orgId);
  const inPeriod = and(eq(billingMeterEvents.orgId, orgId), gte(billingMeterEvents.hourStart, period.from), lt(billingMeterEvents.hourStart, period.to));
  const [[metered], byStatus, [retrying], problems, [recon]] = await Promise.all([
    db
      .select({
        n: sql<number>`count(*)::int`,
        old: sql<number>`count(*) filter (where ${convergenceCalls.createdAt} < ${new Date(now.getTime() - 35 * 86_400_000 + 3600_000).toISOString()}::timestamptz)::int`,
      })
      .from(convergenceCalls)
      .where(and(eq(convergenceCalls.orgId, orgId), eq(convergenceCalls.outcome, "ok"), gte(convergenceCalls.createdAt, period.from), lt(convergenceCalls.createdAt, period.to))),
    db
      .select({ status: billingMeterEvents.status, n: sql<number>`coalesce(sum(${billingMeterEvents.value}), 0)::int` })
      .from(billingMeterEvents)
      .where(inPeriod)
      .groupBy(billingMeterEvents.status),
    db
      .select({ error: billingMeterEvents.lastError })
      .from(billingMeterEvents)
      .where(and(inPeriod, eq(billingMeterEvents.status, "pending"), sql`${billingMeterEvents.lastError} is not null`))
      .orderBy(asc(billingMeterEvents.nextAttemptAt))
      .limit(1),
    db
      .select()
      .from(billingMeterEvents)
      .where(and(inPeriod, inArray(billingMeterEvents.status, ["failed", "expired"])))
      .orderBy(sql`${billingMeterEvents.hourStart} desc`)
      .limit(40),
    db
      .select()
      .from(billingReconciliations)
      .where(and(eq(billingReconciliations.orgId, orgId), eq(billingReconciliations.periodStart, period.from))),
  ]);
  const sum = (s: string) => byStatus.find((r) => r.status === s)?.n ?? 0;
  const outboxed = byStatus.reduce((a, r) => a + r.n, 0);
  const notOutboxed = Math.max(0, (metered?.n ?? 0) - outboxed);
  // Calls never put in the outbox whose hour is past Stripe's window can no longer be sent: expired, not pending.
  const lostToAge = Math.min(notOutboxed, metered?.old ?? 0);
  const calls = {
    metered: metered?.n ?? 0,
    reported: sum("delivered"),
    pending: sum("pending") + notOutboxed - lostToAge,
    failed: sum("failed"),
    expired: sum("expired") + lostToAge,
  };
  let pendingReason: string | null = null;
  if (calls.pending > 0) {
    if (!billing.enabled) pendingReason = "billing is off on this platform (STRIPE_SECRET_KEY is unset): nothing is reported";
    else if (!billing.stripeCustomerId) pendingReason = "no Stripe customer is linked to this organisation: its calls are reported once the operator links one (PUT /api/v1/orgs/{id}/billing)";
    else if (retrying?.error) pendingReason = `being retried: ${retrying.error}`;
    else if (sum("pending") > 0) pendingReason = `waiting for the next flush (every ${Math.round(config.BILLING_FLUSH_INTERVAL_MS / 1000)} s)`;
    else pendingReason = "calls of the current hour are reported as one event per tenant once the hour has ended";
  }
  const byKind = (status: "failed" | "expired") => problems.filter((p) => p.status === status).slice(0, 20);
  return {
    billing,
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    calls,
    pendingReason,
    stripe: recon ? { total: recon.stripeTotal, reported: recon.reported, drift: recon.drift, reason: recon.reason, checkedAt: recon.checkedAt.toISOString() } : null,
    problems: [...byKind("failed"), ...byKind("expired")].map((p) => ({
      identifier: p.identifier,
      envId: p.envId,
      hour: p.hourStart.toISOString(),
      calls: p.value,
      status: p.status as "failed" | "expired",
      reason: p.lastError,
    })),
  };
}
