/** Tenant ids as callers write them: the envId (`7`, `"7"`) or the tenant id (`"tenant_7"`). */

/** A tenant, by envId or by `tenant_<envId>`. */
export type TenantId = number | string;

/** `7`, `"7"` or `"tenant_7"` → 7. */
export function envIdOf(id: TenantId): number {
  const n = typeof id === "number" ? id : Number(/^(?:tenant_)?(\d+)$/.exec(String(id).trim())?.[1] ?? Number.NaN);
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`not a tenant id: ${JSON.stringify(id)} (expected tenant_<n> or a positive integer)`);
  return n;
}
