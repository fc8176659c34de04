/**
 * Sends the outbox's pending meter events to Stripe (the billing-flush job). Each event is sent
 * with its own deterministic identifier, so whatever happened before (a worker killed between
 * Stripe's answer and the row's update, a timeout, two workers at once) Stripe counts it once: a
 * refusal as a duplicate means an earlier attempt got through, and the row is delivered. 429s
 * pause every pending event for Retry-After; 5xx and dropped connections are retried with
 * exponential back-off; events older than Stripe's 35 days are marked expired, never re-dated.
 */
import { and, eq, lte, sql } from "drizzle-orm";
import type { AppContext } from "../context.js";
import { billingMeterEvents, type BillingMeterEvent } from "../db/schema.js";
import { classifySendError, isTooOld, type SendError, type SendOutcome } from "./decide.js";
import { fillOutbox } from "./outbox.js";
import type { StripeClient } from "./stripe-client.js";

export interface FlushResult {
  added: number;
  requests: number;
  delivered: number;
  duplicates: number;
  retrying: number;
  failed: number;
  expired: number;
  rateLimited: boolean;
}

const BATCH = 500;
/** Requests in flight at once: well under Stripe's ~1,000 events/s, and a 429 stops the rest. */
const CONCURRENCY = 16;
/** One flush sends for at most this long, then leaves the rest to the next run. */
const BUDGET_MS = 45_000;

export async function flushMeterEvents(ctx: Pick<AppContext, "db" | "config" | "logger">, stripe: StripeClient, now = () => new Date()): Promise<FlushResult> {
  const result: FlushResult = { added: 0, requests: 0, delivered: 0, duplicates: 0, retrying: 0, failed: 0, expired: 0, rateLimited: false };
  result.added = await fillOutbox(ctx.db, ctx.config.CONVERGENCE_INSTANCE, now());
  const deadline = Date.now() + BUDGET_MS;
  while (Date.now() < deadline && !result.rateLimited) {
    const due = await ctx.db
      .select()
      .from(billingMeterEvents)
      .where(and(eq(billingMeterEvents.status, "pending"), lte(billingMeterEvents.nextAttemptAt, now())))
      .orderBy(billingMeterEvents.id)
      .limit(BATCH);
    if (!due.length) break;
    let next = 0;
    const lane = async () => {
      while (next < due.length && !result.rateLimited) {
        const row = due[next++]!;
        await sendOne(ctx, stripe, row, result, now());
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, lane));
    if (due.length < BATCH) break;
  }
  if (result.requests || result.added) ctx.logger.info({ billing: result }, "billing flush");
  return result;
}

async function sendOne(ctx: Pick<AppContext, "db" | "config" | "logger">, stripe: StripeClient, row: BillingMeterEvent, result: FlushResult, now: Date): Promise<void> {
  if (isTooOld(row.hourStart, now)) {
    await settle(ctx, row, { kind: "expired", reason: "older than the 35 days Stripe accepts: not sent, and never re-dated" }, now);
    result.expired++;
    return;
  }
  let outcome: SendOutcome;
  result.requests++;
  try {
    await stripe.billing.meterEvents.create({
      event_name: ctx.config.STRIPE_METER_EVENT_NAME,
      identifier: row.identifier,
      timestamp: Math.floor(row.hourStart.getTime() / 1000),
      payload: { stripe_customer_id: row.stripeCustomerId, value: String(row.value) },
    });
    outcome = { kind: "delivered", duplicate: false };
  } catch (err) {
    outcome = classifySendError(err as SendError, row.attempts + 1, now.getTime());
  }
  await settle(ctx, row, outcome, now);
  if (outcome.kind === "delivered") {
    result.delivered++;
    if (outcome.duplicate) result.duplicates++;
  } else if (outcome.kind === "retry") {
    result.retrying++;
    if (outcome.rateLimited) {
      result.rateLimited = true;
      // Retry-After is for the account, not the event: nothing more is sent before it.
      await ctx.db.execute(
        sql`update billing_meter_events set next_attempt_at = greatest(next_attempt_at, ${new Date(now.getTime() + outcome.delayMs).toISOString()}::timestamptz) where status = 'pending'`,
      );
    }
  } else if (outcome.kind === "failed") result.failed++;
  else result.expired++;
}

/** Records one attempt's outcome; only a pending row changes (another worker may have settled it meanwhile). */
async function settle(ctx: Pick<AppContext, "db" | "logger">, row: BillingMeterEvent, outcome: SendOutcome, now: Date): Promise<void> {
  const attempted = { attempts: sql`${billingMeterEvents.attempts} + 1`, firstAttemptAt: sql`coalesce(${billingMeterEvents.firstAttemptAt}, now())` };
  const set =
    outcome.kind === "delivered"
      ? { ...attempted, status: "delivered" as const, duplicate: outcome.duplicate, deliveredAt: now, lastError: null }
      : outcome.kind === "retry"
        ? { ...attempted, nextAttemptAt: new Date(now.getTime() + outcome.delayMs), lastError: outcome.reason }
        : outcome.kind === "failed"
          ? { ...attempted, status: "failed" as const, lastError: outcome.reason }
          : { status: "expired" as const, lastError: outcome.reason };
  await ctx.db
    .update(billingMeterEvents)
    .set(set)
    .where(and(eq(billingMeterEvents.id, row.id), eq(billingMeterEvents.status, "pending")));
  if (outcome.kind === "failed") ctx.logger.warn({ identifier: row.identifier, orgId: row.orgId, reason: outcome.reason }, "Stripe refused a meter event");
}
