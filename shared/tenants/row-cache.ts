/**
 * Tenant rows for `GET /api/v1/tenant/:id/status`, in this API process. Clients poll that
 * endpoint (the product's hottest path) and most polls find nothing changed, so a row read from
 * Postgres answers the polls that follow for up to STATUS_CACHE_MS (1 s by default).
 *
 * What a poll sees is never staler than the change's announcement: every status change NOTIFYs
 * tenant_status in its own transaction (shared/tenants/event-log.ts), and this process evicts the
 * tenant when it hears it; this process's own destroys and key rotations evict at once. The cache
 * is trusted only while that LISTEN is up (ListenedCache). What changes without a status change
 * (the health counters, lastCheckAt) may lag by up to STATUS_CACHE_MS. A missing tenant (404) is
 * never cached, and another organisation's tenant is answered 404 from the cache as from Postgres.
 */
import { ListenedCache } from "../auth/listened-cache.js";
import type { Db } from "../db/client.js";
import type { Tenant } from "../db/schema.js";
import { notFound } from "../errors.js";
import { getTenantForOrg } from "./queries.js";

export class TenantRowCache {
  private readonly cache: ListenedCache<number, Tenant>;

  constructor(
    private readonly db: Db,
    feed: { readonly isListening: boolean; onChange(fn: (envId: number | null) => void): void },
    private readonly ttlMs: number,
  ) {
    this.cache = new ListenedCache(feed, ttlMs);
    feed.onChange((envId) => (envId === null ? this.cache.clear() : this.cache.delete(envId)));
  }

  /** Like getTenantForOrg: the organisation's tenant, or 404. */
  async get(orgId: number, envId: number): Promise<Tenant> {
    if (this.ttlMs === 0) return getTenantForOrg(this.db, orgId, envId);
    // Cached whoever's it is; the organisation is checked on every read, hit or miss.
    const row = await this.cache.get(envId, () => getTenantForOrg(this.db, orgId, envId));
    if (!row || row.orgId !== orgId) throw notFound(`tenant ${envId}`);
    return row;
  }

  /** This process changed the tenant: the next read goes to Postgres. */
  evict(envId: number): void {
    this.cache.delete(envId);
  }
}
