/**
 * The billing-reconcile job: for each organisation with a Stripe customer and for this month and
 * the last, compares what the outbox delivered with Stripe's meter event summaries for that
 * customer, and records the drift with its reason (billing_reconciliations), which
 * `GET /api/v1/billing` and the metrics show.
 */
import { and, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { AppContext } from "../context.js";
import { billingMeterEvents, billingReconciliations, organisations } from "../db/schema.js";
import { driftReason, monthOf } from "./decide.js";
import type { StripeClient } from "./stripe-client.js";

/** Deliveries this recent may not be in Stripe's summaries yet (Stripe aggregates asynchronously). */
const AGGREGATION_LAG_MS = 10 * 60_000;

export interface ReconcileResult {
  meter: string | null;
  checked: number;
  drifting: number;
}

export async function findMeterId(stripe: StripeClient, eventName: string): Promise<string | null> {
  for await (const meter of stripe.billing.meters.list({ limit: 100 })) {
    if (meter.event_name === eventName && meter.status === "active") return meter.id;
  }
  return null;
}

export async function reconcileBilling(ctx: Pick<AppContext, "db" | "config" | "logger">, stripe: StripeClient, now = new Date()): Promise<ReconcileResult> {
  const meterId = await findMeterId(stripe, ctx.config.STRIPE_METER_EVENT_NAME);
  if (!meterId) throw new Error(`Stripe has no active meter with event_name "${ctx.config.STRIPE_METER_EVENT_NAME}": create it (a sum meter) or set STRIPE_METER_EVENT_NAME`);
  const orgs = await ctx.db.select({ id: organisations.id, customer: organisations.stripeCustomerId }).from(organisations).where(isNotNull(organisations.stripeCustomerId));
  const current = monthOf(now);
  const periods = [monthOf(new Date(current.from.getTime() - 1)), current];
  // Stripe's summaries take minute-aligned bounds.
  const nowMinute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  let checked = 0;
  let drifting = 0;
  for (const org of orgs) {
    for (const period of periods) {
      const end = period.to < nowMinute ? period.to : nowMinute;
      if (end <= period.from) continue;
      const inPeriod = and(
        eq(billingMeterEvents.orgId, org.id),
        eq(billingMeterEvents.stripeCustomerId, org.customer!),
        eq(billingMeterEvents.status, "delivered"),
        gte(billingMeterEvents.hourStart, period.from),
        lt(billingMeterEvents.hourStart, end),
      );
      const [sums] = await ctx.db
        .select({
          reported: sql<number>`coalesce(sum(${billingMeterEvents.value}), 0)::int`,
          recent: sql<number>`coalesce(sum(${billingMeterEvents.value}) filter (where ${billingMeterEvents.deliveredAt} > ${new Date(now.getTime() - AGGREGATION_LAG_MS).toISOString()}::timestamptz), 0)::int`,
        })
        .from(billingMeterEvents)
        .where(inPeriod);
      let stripeTotal = 0;
      for await (const summary of stripe.billing.meters.listEventSummaries(meterId, {
        customer: org.customer!,
        start_time: Math.floor(period.from.getTime() / 1000),
        end_time: Math.floor(end.getTime() / 1000),
      })) {
        stripeTotal += Number(summary.aggregated_value);
      }
      const reported = sums?.reported ?? 0;
      const reason = driftReason({ reported, stripeTotal, recentlyDelivered: sums?.recent ?? 0 });
      const row = { orgId: org.id, periodStart: period.from, periodEnd: period.to, reported, stripeTotal, drift: stripeTotal - reported, reason, checkedAt: now };
      await ctx.db
        .insert(billingReconciliations)
        .values(row)
        .onConflictDoUpdate({ target: [billingReconciliations.orgId, billingReconciliations.periodStart], set: row });
      checked++;
      if (row.drift !== 0) {
        drifting++;
        ctx.logger.warn({ orgId: org.id, period: period.from.toISOString(), reported, stripeTotal, reason }, "billing drift against Stripe");
      }
    }
  }
  return { meter: meterId, checked, drifting };
}
