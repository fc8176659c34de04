/**
 * Whether one more tenant may be created: the organisation's live-tenant limit, and the host's
 * capacity guard (the memory live tenants reserve, see reservedMemorySql, plus TENANT_MEMORY_MB
 * may not pass CAPACITY_MEMORY_SHARE of the memory tenants may use). Checked inside the spawn transaction under one advisory lock, so
 * concurrent spawns are counted one after another: 21 at once with a limit of 20 make 20.
 */
import { sql } from "drizzle-orm";
import { totalmem } from "node:os";
import type { Config } from "../config.js";
import type { Tx } from "../db/client.js";
import { AppError } from "../errors.js";
import { liveStatuses } from "../tenant-state.js";

/** Advisory lock key held by spawn (and wake) transactions while they count and insert (any 64-bit constant). */
export const SPAWN_ADMISSION_LOCK = 728_302;

/**
 * Capacity follows use (docs/idle.md): the tenant memory the live tenants reserve, as a SQL sum
 * over `tenants` rows: a running (or starting, or waking) tenant its full TENANT_MEMORY_MB, a
 * paused one what its container held when it was paused, a stopped one nothing.
 */
export function reservedMemorySql(config: Pick<Config, "TENANT_MEMORY_MB">) {
  const full = config.TENANT_MEMORY_MB;
  return sql<number>`coalesce(sum(case status when 'stopped' then 0 when 'paused' then least(coalesce(sleep_memory_mb, ${full}), ${full}) else ${full} end), 0)::int`;
}

export function capacityMemoryMb(config: Pick<Config, "CAPACITY_MEMORY_MB">): number {
  return config.CAPACITY_MEMORY_MB || Math.floor(totalmem() / 2 ** 20);
}

/** Throws 429 TENANT_LIMIT_REACHED or 503 CAPACITY_EXHAUSTED; call in the transaction that inserts the tenant. */
export async function admitTenant(tx: Tx, config: Pick<Config, "CAPACITY_MEMORY_MB" | "CAPACITY_MEMORY_SHARE" | "TENANT_MEMORY_MB">, orgId: number, maxTenants: number): Promise<void> {
  // Sent together (pipelined), in this order: the count is a statement of its own, so it sees
  // every spawn committed before the lock was granted.
  const [, [counts]] = await Promise.all([
    tx.execute(sql`select pg_advisory_xact_lock(${SPAWN_ADMISSION_LOCK})`),
    tx.execute<{ org: number; reserved: number }>(sql`
      select count(*) filter (where org_id = ${orgId})::int as "org", ${reservedMemorySql(config)} as "reserved"
      from tenants where status in ${[...liveStatuses]}`),
  ]);
  const { org = 0, reserved = 0 } = counts ?? {};
  if (org >= maxTenants) {
    throw new AppError("TENANT_LIMIT_REACHED", `this organisation has ${org} live tenants, its limit (maxTenants ${maxTenants}); destroy one first, or ask the operator to raise the limit`, {
      limit: "maxTenants",
      max: maxTenants,
      current: org,
    });
  }
  const capacityMb = capacityMemoryMb(config);
  const allowedMb = Math.floor(capacityMb * config.CAPACITY_MEMORY_SHARE);
  const reservedMb = reserved + config.TENANT_MEMORY_MB;
  if (reservedMb > allowedMb) {
    throw new AppError(
      "CAPACITY_EXHAUSTED",
      `the platform is at capacity: another tenant would reserve ${reservedMb} MB of tenant memory, over the ${allowedMb} MB allowed; try again later`,
      { limit: "capacityMemoryMb", reservedMb: reserved, allowedMb, tenantMemoryMb: config.TENANT_MEMORY_MB },
      { "Retry-After": "60" },
    );
  }
}
