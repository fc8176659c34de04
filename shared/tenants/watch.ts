/**
 * Watching a tenant without polling: hold a status request until the tenant reaches a state,
 * and follow its recorded transitions as they happen. Both subscribe to the status feed FIRST
 * and read Postgres SECOND, so a transition committed in between still wakes them; after that
 * they read Postgres again only when the feed says this tenant changed.
 */
import { and, eq, gt } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { tenantEvents, type Tenant, type TenantEvent } from "../db/schema.js";
import { finalStatuses, type TenantStatus } from "../tenant-state.js";
import { withTimeout } from "../timeout.js";
import { getTenantForOrg } from "./queries.js";
import type { TenantStatusFeed } from "./status-feed.js";

export interface WatchDeps {
  db: Db;
  statusFeed: TenantStatusFeed;
  /** Held requests have no overall deadline; each read is bounded by REQUEST_TIMEOUT_MS instead. */
  config: Pick<Config, "REQUEST_TIMEOUT_MS">;
}

/** One read of a held request, bounded: a Postgres that hangs ends the wait with 503 rather than holding it for ever. */
const bounded = <T>(deps: WatchDeps, read: Promise<T>) => withTimeout(read, deps.config.REQUEST_TIMEOUT_MS, "postgres");

/**
 * Resolves with the tenant once it is in `wait`, in a final state (failed, destroyed), or when
 * `timeoutMs` has passed (or `signal` aborted), whichever comes first. Another organisation's
 * tenant is a 404, as everywhere.
 */
export async function waitForTenantStatus(
  deps: WatchDeps,
  q: { orgId: number; envId: number; wait: TenantStatus; timeoutMs: number; signal?: AbortSignal },
): Promise<Tenant> {
  const deadline = Date.now() + q.timeoutMs;
  const sub = deps.statusFeed.watch(q.envId);
  try {
    for (;;) {
      const tenant = await bounded(deps, getTenantForOrg(deps.db, q.orgId, q.envId));
      if (tenant.status === q.wait || finalStatuses.includes(tenant.status)) return tenant;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || q.signal?.aborted || deps.statusFeed.isClosed) return tenant;
      await sub.next(remaining, q.signal);
    }
  } finally {
    sub.close();
  }
}

export type TenantWatchItem = { kind: "transition"; event: TenantEvent } | { kind: "idle" };

/**
 * The tenant's recorded transitions, oldest first: its history, then each new one as it is
 * committed. Yields `idle` after `idleMs` without a change (the caller's cue for a heartbeat).
 * Ends after the transition to `destroyed` (nothing follows it) or when `signal` aborts.
 * `afterEventId` skips what the client has already seen (SSE Last-Event-ID).
 */
export async function* watchTenantEvents(
  deps: WatchDeps,
  q: { orgId: number; envId: number; afterEventId?: number; idleMs: number; signal: AbortSignal },
): AsyncGenerator<TenantWatchItem> {
  const sub = deps.statusFeed.watch(q.envId);
  try {
    await bounded(deps, getTenantForOrg(deps.db, q.orgId, q.envId));
    let lastId = q.afterEventId ?? 0;
    for (;;) {
      const events = await bounded(
        deps,
        deps.db
          .select()
          .from(tenantEvents)
          .where(and(eq(tenantEvents.envId, q.envId), gt(tenantEvents.id, lastId)))
          .orderBy(tenantEvents.id)
          .execute(),
      );
      for (const event of events) {
        lastId = event.id;
        yield { kind: "transition", event };
        if (event.toStatus === "destroyed") return;
      }
      if (q.signal.aborted || deps.statusFeed.isClosed) return;
      const changed = await sub.next(q.idleMs, q.signal);
      if (q.signal.aborted) return;
      if (!changed) yield { kind: "idle" };
    }
  } finally {
    sub.close();
  }
}
