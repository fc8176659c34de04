/**
 * The billing outbox: meter events derived from the metering records (convergence_calls), one per
 * tenant and closed UTC hour, written to Postgres before anything is sent (shared/billing/flush.ts
 * sends them). Postgres is the truth: the outbox can be filled again at any time and only adds
 * what is missing, so a lost job, a Redis wipe or two workers filling at once change nothing.
 *
 * Why per tenant-hour and not per call: a meter sums values, so one event carrying an hour's count
 * bills the same as that many events of 1, with up to thousands of times fewer requests (Stripe
 * takes about 1,000 events/s per account). The identifier `<instance>-<envId>-<hour>-<seq>` is
 * derived from the records, so every retry of an event is recognised by Stripe. Calls recorded
 * after their hour was reported (a record that committed late) are carried by a further event of
 * the same hour (`seq` 1, 2, …) with the difference, never by changing one already sent.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { HOUR_SETTLE_MS, STRIPE_WINDOW_MS } from "./decide.js";

const HOUR_MS = 3600_000;
/** How far back the records are scanned: a day beyond Stripe's window, so hours just past it are marked expired, not forgotten. */
const SCAN_MS = STRIPE_WINDOW_MS + 24 * HOUR_MS;
const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const OUTBOX_LOCK = 728_324;

/** Adds the meter events the records call for and the outbox lacks; returns how many it added. */
export async function fillOutbox(db: Db, instance: string, now = new Date()): Promise<number> {
  const closedBefore = new Date(floorHour(now.getTime() - HOUR_SETTLE_MS)).toISOString();
  const scanFrom = new Date(floorHour(now.getTime() - SCAN_MS)).toISOString();
  // An hour whose start is within an hour of Stripe's limit is not sent (isTooOld in decide.ts says the same).
  const expiredBefore = new Date(now.getTime() - STRIPE_WINDOW_MS + HOUR_MS).toISOString();
  return db.transaction(async (tx) => {
    // One filler at a time: two would compute the same difference and race for the same seq (harmless, but wasted).
    await tx.execute(sql`select pg_advisory_xact_lock(${OUTBOX_LOCK})`);
    const rows = await tx.execute(sql`
      with metered as (
        select c.org_id, c.env_id, date_trunc('hour', c.created_at at time zone 'UTC') at time zone 'UTC' as hour, count(*)::int as n
        from convergence_calls c
        join organisations o on o.id = c.org_id and o.stripe_customer_id is not null
        where c.outcome = 'ok' and c.created_at >= ${scanFrom}::timestamptz and c.created_at < ${closedBefore}::timestamptz
        group by 1, 2, 3
      ), outboxed as (
        select env_id, hour_start, sum(value)::int as v, max(seq) as s
        from billing_meter_events
        where hour_start >= ${scanFrom}::timestamptz
        group by 1, 2
      )
      insert into billing_meter_events (identifier, org_id, env_id, hour_start, seq, value, stripe_customer_id, status, last_error)
      select ${instance} || '-' || m.env_id || '-' || extract(epoch from m.hour)::bigint || '-' || coalesce(x.s + 1, 0),
        m.org_id, m.env_id, m.hour, coalesce(x.s + 1, 0), m.n - coalesce(x.v, 0), o.stripe_customer_id,
        case when m.hour < ${expiredBefore}::timestamptz then 'expired' else 'pending' end,
        case when m.hour < ${expiredBefore}::timestamptz then 'older than the 35 days Stripe accepts: not sent, and never re-dated' end
      from metered m
      join organisations o on o.id = m.org_id
      left join outboxed x on x.env_id = m.env_id and x.hour_start = m.hour
      where m.n > coalesce(x.v, 0)
      on conflict do nothing
      returning id`);
    return (rows as unknown as unknown[]).length;
  });
}
