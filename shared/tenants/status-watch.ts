/**
 * Watching a tenant without polling: hold a status request until the tenant reaches a state,
 * and follow its recorded transitions as they happen. Both subscribe to the status feed FIRST
 * and read Postgres SECOND, so a transition committed in between still wakes them; after that
 * they read Postgres again only when the feed says this tenant changed.
 */
import { and, eq, gt, inArray, max, type SQL } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { tenantEvents, tenants, type Tenant, type TenantEvent } from "../db/schema.js";
import { finalStatuses, type TenantStatus } from "../tenant-state.js";
import { withTimeout } from "../timeout.js";
import { getTenantForOrg } from "./queries.js";
import type { StatusSubscription, TenantStatusFeed } from "./status-feed.js";

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
export async function waitForTenantStatus(deps: WatchDeps, q: { orgId: number; envId: number; wait: TenantStatus; timeoutMs: number; signal?: AbortSignal }): Promise<Tenant> {
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
export async function* watchTenantEvents(deps: WatchDeps, q: { orgId: number; envId: number; afterEventId?: number; idleMs: number; signal: AbortSignal }): AsyncGenerator<TenantWatchItem> {
  const sub = deps.statusFeed.watch(q.envId);
  try {
    await bounded(deps, getTenantForOrg(deps.db, q.orgId, q.envId));
    let lastId = q.afterEventId ?? 0;
    for (;;) {
      const events = await eventsAfter(deps, lastId, eq(tenantEvents.envId, q.envId));
      for (const event of events) {
        lastId = event.id;
        yield { kind: "transition", event };
        if (event.toStatus === "destroyed") return;
      }
      if (events.length === EVENTS_PAGE) continue;
      const wake = await nextChange(deps, sub, q);
      if (wake === "end") return;
      if (wake === "idle") yield { kind: "idle" };
    }
  } finally {
    sub.close();
  }
}

/** Events read per query, so a long history (or a long absence) is replayed in pages. */
const EVENTS_PAGE = 500;

/** The next page of recorded transitions after event `afterId` that match `where`, oldest first. */
function eventsAfter(deps: WatchDeps, afterId: number, where: SQL | undefined): Promise<TenantEvent[]> {
  return bounded(
    deps,
    deps.db
      .select()
      .from(tenantEvents)
      .where(and(gt(tenantEvents.id, afterId), where))
      .orderBy(tenantEvents.id)
      .limit(EVENTS_PAGE)
      .execute(),
  );
}

/** Between two reads of a watch: the next change, `idle` after idleMs without one, or `end` (aborted, or the feed closed). */
async function nextChange(deps: WatchDeps, sub: StatusSubscription, q: { idleMs: number; signal: AbortSignal }): Promise<"changed" | "idle" | "end"> {
  if (q.signal.aborted || deps.statusFeed.isClosed) return "end";
  const changed = await sub.next(q.idleMs, q.signal);
  if (q.signal.aborted) return "end";
  return changed ? "changed" : "idle";
}

export type OrganisationWatchItem =
  | { kind: "transition"; event: TenantEvent; tenant: Tenant }
  /** Caught up: everything up to `lastEventId` has been yielded; live changes follow. */
  | { kind: "sync"; lastEventId: number }
  | { kind: "idle" };

/**
 * Every transition of the organisation's tenants (or of `envIds` only), oldest first, each with
 * the tenant as it is when it is read. Starts after `afterEventId` (SSE Last-Event-ID), or at the
 * present when there is none: the organisation's history can be long, and a client that wants
 * the current state lists the tenants (after `sync`, so nothing falls between the list and the
 * stream). Yields `sync` once caught up, `idle` after `idleMs` without a change. Exact because
 * an organisation's event ids follow commit order (recordTenantEvent). Ends when `signal` aborts.
 */
export async function* watchOrganisationEvents(
  deps: WatchDeps,
  q: { orgId: number; envIds?: number[]; afterEventId?: number; idleMs: number; signal: AbortSignal },
): AsyncGenerator<OrganisationWatchItem> {
  const sub = deps.statusFeed.watchOrganisation(q.orgId);
  try {
    let lastId = q.afterEventId ?? (await bounded(deps, latestEventId(deps.db, q.orgId)));
    let synced = false;
    for (;;) {
      const events = await eventsAfter(deps, lastId, and(eq(tenantEvents.orgId, q.orgId), q.envIds ? inArray(tenantEvents.envId, q.envIds) : undefined));
      const current = await bounded(deps, tenantsById(deps.db, q.orgId, [...new Set(events.map((e) => e.envId))]));
      for (const event of events) {
        lastId = event.id;
        const tenant = current.get(event.envId);
        if (tenant) yield { kind: "transition", event, tenant };
      }
      if (events.length === EVENTS_PAGE) continue;
      if (!synced) {
        synced = true;
        yield { kind: "sync", lastEventId: lastId };
      }
      const wake = await nextChange(deps, sub, q);
      if (wake === "end") return;
      if (wake === "idle") yield { kind: "idle" };
    }
  } finally {
    sub.close();
  }
}

async function latestEventId(db: Db, orgId: number): Promise<number> {
  const [row] = await db
    .select({ id: max(tenantEvents.id) })
    .from(tenantEvents)
    .where(eq(tenantEvents.orgId, orgId));
  return row?.id ?? 0;
}

async function tenantsById(db: Db, orgId: number, envIds: number[]): Promise<Map<number, Tenant>> {
  if (!envIds.length) return new Map();
  const rows = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.orgId, orgId), inArray(tenants.envId, envIds)));
  return new Map(rows.map((t) => [t.envId, t]));
}
