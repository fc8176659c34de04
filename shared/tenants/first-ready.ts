/**
 * Spawn → first ready, defined once: the seconds from a tenant's spawn request (its row's
 * creation) to the first time it became ready (its first `ready` event). A later re-provision
 * (a key rotation, a re-created container) is not a spawn and does not count again. Both
 * spawn→ready metrics, the cluster histogram and each worker's own, read it here.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.js";

/** One row per tenant that has been ready: its spawn→first-ready seconds and how many times it became ready. */
const firstReadies = (where: SQL = sql``) => sql`
  select extract(epoch from (min(e.created_at) - t.created_at))::float8 as seconds, count(*)::int as readies
  from tenant_events e join tenants t on t.env_id = e.env_id
  where e.to_status = 'ready' ${where}
  group by t.env_id, t.created_at`;

/** The tenant's spawn→ready seconds if it has become ready exactly once (just now, for a provision that ended ready), else null. */
export async function firstReadySeconds(db: Db, envId: number): Promise<number | null> {
  const [row] = (await db.execute(firstReadies(sql`and t.env_id = ${envId}`))) as unknown as { seconds: number; readies: number }[];
  return row && row.readies === 1 ? row.seconds : null;
}

/** Every tenant's spawn→first-ready seconds as a cumulative histogram: how many are ≤ each bound, the count and the sum. */
export async function firstReadyHistogram(db: Db, upperBounds: number[]): Promise<{ buckets: number[]; count: number; sum: number }> {
  const rows = (await db.execute(sql`
    with first_ready as (${firstReadies()})
    select b.le, count(f.seconds)::int as n,
      (select count(*) from first_ready)::int as total,
      (select coalesce(sum(seconds), 0) from first_ready)::float8 as sum
    from (values ${sql.join(
      upperBounds.map((le) => sql`(${le}::float8)`),
      sql`, `,
    )}) as b(le)
    left join first_ready f on f.seconds <= b.le
    group by b.le order by b.le`)) as unknown as { le: number; n: number; total: number; sum: number }[];
  return { buckets: rows.map((r) => r.n), count: rows[0]?.total ?? 0, sum: rows[0]?.sum ?? 0 };
}
