/**
 * Whether one more tenant may be created: the organisation's live-tenant limit, and the host's
 * capacity guard (live tenants × TENANT_MEMORY_MB may not pass CAPACITY_MEMORY_SHARE of the
 * memory tenants may use). Checked inside the spawn transaction under one advisory lock, so
 * concurrent spawns are counted one after another: 21 at once with a limit of 20 make 20.
 */
import { sql } from "drizzle-orm";
import { totalmem } from "node:os";
import type { Config } from "../config.js";
import type { Tx } from "../db/client.js";
import { AppError } from "../errors.js";
import { liveStatuses } from "../tenant-state.js";

/** Advisory lock key held by spawn transactions while they count and insert (any 64-bit constant). */
const SPAWN_ADMISSION_LOCK = 728_302;

export function capacityMemoryMb(config: Pick<Config, "CAPACITY_MEMORY_MB">): number {
  return config.CAPACITY_MEMORY_MB || Math.floor(totalmem() / 2 ** 20);
}

/** Throws 429 TENANT_LIMIT_REACHED or 503 CAPACITY_EXHAUSTED; call in the transaction that inserts the tenant. */
export async function admitTenant(tx: Tx, config: Pick<Config, "CAPACITY_MEMORY_MB" | "CAPACITY_MEMORY_SHARE" | "TENANT_MEMORY_MB">, orgId: number, maxTenants: number): Promise<void> {
  // Sent together (pipelined), in this order: the count is a statement of its own, so it sees
  // every spawn committed before the lock was granted.
  const [, [counts]] = await Promise.all([
    tx.execute(sql`select pg_advisory_xact_lock(${SPAWN_ADMISSION_LOCK})`),
    tx.execute<{ org: number; all: number }>(sql`
      select count(*) filter (where org_id = ${orgId})::int as "org", count(*)::int as "all"
      from tenants where status in ${[...liveStatuses]}`),
  ]);
  const { org = 0, all = 0 } = counts ?? {};
  if (org >= maxTenants) {
    throw new AppError("TENANT_LIMIT_REACHED", `this organisation has ${org} live tenants, its limit (maxTenants ${maxTenants}); destroy one first, or ask the operator to raise the limit`, {
      limit: "maxTenants",
      max: maxTenants,
      current: org,
    });
  }
  const capacityMb = capacityMemoryMb(config);
  const allowedMb = Math.floor(capacityMb * config.CAPACITY_MEMORY_SHARE);
  const reservedMb = (all + 1) * config.TENANT_MEMORY_MB;
  if (reservedMb > allowedMb) {
    throw new AppError(
      "CAPACITY_EXHAUSTED",
      `the platform is at capacity: another tenant would reserve ${reservedMb} MB of tenant memory, over the ${allowedMb} MB allowed; try again later`,
      { limit: "capacityMemoryMb", reservedMb: all * config.TENANT_MEMORY_MB, allowedMb, tenantMemoryMb: config.TENANT_MEMORY_MB },
      { "Retry-After": "60" },
    );
  }
}
