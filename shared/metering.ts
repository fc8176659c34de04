/**
 * Metering and quotas for convergence calls. Every call, used or refused, becomes one row in
 * convergence_calls before the response goes out: billing counts rows, so counting is exact
 * under any concurrency. Limits are enforced with Redis counters shared by every API process.
 */
import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { AppContext } from "./context.js";
import { prepared, type Db } from "./db/client.js";
import { convergenceCalls, tenants, type Tenant } from "./db/schema.js";
import { AppError } from "./errors.js";
import { tenantIdOf } from "./tenants/tenant-id.js";

export type CallRecord = Omit<typeof convergenceCalls.$inferInsert, "id" | "createdAt">;

const insertCall = prepared((db) =>
  db
    .insert(convergenceCalls)
    .values({
      orgId: sql.placeholder("orgId"),
      envId: sql.placeholder("envId"),
      outcome: sql.placeholder("outcome"),
      httpStatus: sql.placeholder("httpStatus"),
      errorCode: sql.placeholder("errorCode"),
      converged: sql.placeholder("converged"),
      rounds: sql.placeholder("rounds"),
      tokensIn: sql.placeholder("tokensIn"),
      tokensOut: sql.placeholder("tokensOut"),
      latencyMs: sql.placeholder("latencyMs"),
      provider: sql.placeholder("provider"),
      model: sql.placeholder("model"),
    })
    .prepare("insert_convergence_call"),
);

export async function recordCall(db: Db, call: CallRecord): Promise<void> {
  await insertCall(db).execute({
    errorCode: null,
    converged: null,
    rounds: 0,
    tokensIn: null,
    tokensOut: null,
    provider: null,
    model: null,
    ...call,
  });
}

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const nextMonthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/**
 * Takes one unit of the tenant's per-minute and per-month allowance, or throws 429 with
 * Retry-After. A refused call gives its unit back, so refusals never count as use.
 */
export async function takeQuota(ctx: AppContext, tenant: Tenant, now = new Date()): Promise<void> {
  const { quotaPerMinute, quotaPerMonth } = tenant;
  const prefix = `${ctx.config.QUEUE_PREFIX}:quota:${tenant.envId}`;
  const taken: string[] = [];
  const giveBack = () => Promise.all(taken.map((k) => ctx.redis.decr(k)));

  if (quotaPerMinute) {
    const minute = Math.floor(now.getTime() / 60_000);
    const key = `${prefix}:min:${minute}`;
    const [[, used]] = (await ctx.redis.multi().incr(key).expire(key, 120).exec()) as [[null, number], unknown];
    taken.push(key);
    if (used > quotaPerMinute) {
      await giveBack();
      const retryAfter = Math.max(1, 60 - Math.floor((now.getTime() % 60_000) / 1000));
      throw new AppError(
        "RATE_LIMITED",
        `rate limit of ${quotaPerMinute} convergence calls per minute reached`,
        { limit: "callsPerMinute", max: quotaPerMinute, window: "minute" },
        { "Retry-After": String(retryAfter) },
      );
    }
  }
  if (quotaPerMonth) {
    const key = `${prefix}:month:${now.toISOString().slice(0, 7)}`;
    if (!(await ctx.redis.exists(key))) {
      // Redis may have lost the counter: start it from the billing records, the source of truth.
      const used = await countUsed(ctx.db, tenant.envId, monthStart(now), nextMonthStart(now));
      await ctx.redis.set(key, used, "EX", 40 * 24 * 3600, "NX");
    }
    const used = await ctx.redis.incr(key);
    taken.push(key);
    if (used > quotaPerMonth) {
      await giveBack();
      const retryAfter = Math.ceil((nextMonthStart(now).getTime() - now.getTime()) / 1000);
      throw new AppError(
        "QUOTA_EXCEEDED",
        `monthly quota of ${quotaPerMonth} convergence calls reached`,
        { limit: "callsPerMonth", max: quotaPerMonth, window: "month" },
        { "Retry-After": String(retryAfter) },
      );
    }
  }
}

async function countUsed(db: Db, envId: number, from: Date, to: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(convergenceCalls)
    // An aborted run spent the model's time, so it uses the allowance (as Redis kept its unit), though it is not billed.
    .where(and(eq(convergenceCalls.envId, envId), inArray(convergenceCalls.outcome, ["ok", "error", "aborted"]), gte(convergenceCalls.createdAt, from), lt(convergenceCalls.createdAt, to)));
  return row?.n ?? 0;
}

export interface UsageQuery {
  orgId: number;
  from: Date;
  to: Date;
  envId?: number;
  /** Only these tenants (an access token limited to them). */
  envIds?: number[];
  perDay: boolean;
}

const aggregates = {
  calls: sql<number>`count(*) filter (where ${convergenceCalls.outcome} in ('ok','error'))::int`,
  succeeded: sql<number>`count(*) filter (where ${convergenceCalls.outcome} = 'ok')::int`,
  errors: sql<number>`count(*) filter (where ${convergenceCalls.outcome} = 'error')::int`,
  refused: sql<number>`count(*) filter (where ${convergenceCalls.outcome} = 'refused')::int`,
  aborted: sql<number>`count(*) filter (where ${convergenceCalls.outcome} = 'aborted')::int`,
  converged: sql<number>`count(*) filter (where ${convergenceCalls.converged})::int`,
  rounds: sql<number>`coalesce(sum(${convergenceCalls.rounds}), 0)::int`,
  tokensIn: sql<number>`coalesce(sum(${convergenceCalls.tokensIn}), 0)::bigint`,
  tokensOut: sql<number>`coalesce(sum(${convergenceCalls.tokensOut}), 0)::bigint`,
  avgLatencyMs: sql<number>`coalesce(round(avg(${convergenceCalls.latencyMs}) filter (where ${convergenceCalls.outcome} in ('ok','error'))), 0)::int`,
};
type Totals = {
  calls: number;
  succeeded: number;
  errors: number;
  refused: number;
  aborted: number;
  converged: number;
  rounds: number;
  tokensIn: number;
  tokensOut: number;
  avgLatencyMs: number;
};
const normalise = (r: Totals): Totals => ({ ...r, tokensIn: Number(r.tokensIn), tokensOut: Number(r.tokensOut) });

/** Usage per tenant and in total for [from, to), destroyed tenants included; optionally per UTC day. */
export async function usageReport(db: Db, q: UsageQuery) {
  const where = and(
    eq(convergenceCalls.orgId, q.orgId),
    gte(convergenceCalls.createdAt, q.from),
    lt(convergenceCalls.createdAt, q.to),
    q.envId ? eq(convergenceCalls.envId, q.envId) : undefined,
    q.envIds ? inArray(convergenceCalls.envId, q.envIds) : undefined,
  );
  const perTenant = await db
    .select({ envId: convergenceCalls.envId, name: tenants.name, status: tenants.status, ...aggregates })
    .from(convergenceCalls)
    .innerJoin(tenants, eq(tenants.envId, convergenceCalls.envId))
    .where(where)
    .groupBy(convergenceCalls.envId, tenants.name, tenants.status)
    .orderBy(convergenceCalls.envId);
  const [totals] = await db.select(aggregates).from(convergenceCalls).where(where);
  const day = sql<string>`to_char(${convergenceCalls.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const daily = q.perDay
    ? await db
        .select({ envId: convergenceCalls.envId, day, ...aggregates })
        .from(convergenceCalls)
        .where(where)
        .groupBy(convergenceCalls.envId, day)
        .orderBy(day)
    : [];

  return {
    period: { from: q.from.toISOString(), to: q.to.toISOString() },
    tenants: perTenant.map(({ envId, name, status, ...t }) => ({
      envId,
      tenantId: tenantIdOf(envId),
      name,
      status,
      ...normalise(t),
      ...(q.perDay ? { days: daily.filter((d) => d.envId === envId).map(({ envId: _e, day, ...d }) => ({ day, ...normalise(d) })) } : {}),
    })),
    totals: normalise(totals!),
  };
}

export function defaultPeriod(now = new Date()) {
  return { from: monthStart(now), to: nextMonthStart(now) };
}
