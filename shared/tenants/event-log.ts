/**
 * Recording a tenant's state change: the event row and the NOTIFY that wakes whoever watches
 * the tenant or its organisation (status?wait=, the event streams), inside the caller's
 * transaction, so both exist if and only if the change commits.
 *
 * Event ids must follow commit order within an organisation, so that "every event after id N"
 * (the organisation's event stream and its Last-Event-ID) never skips one that committed late:
 * ids come from one sequence, and without a lock two transactions can commit in the other order
 * than they drew their ids. A transaction-scoped advisory lock per organisation, taken just
 * before the id is drawn and held to commit, orders them. Within one tenant the row lock of
 * transitionTenant did that already; the lock extends it to the whole organisation, at the cost of
 * serialising the last few statements of concurrent transitions of one organisation.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { tenantEvents } from "../db/schema.js";
import type { TenantStatus } from "../tenant-state.js";
import { TENANT_STATUS_CHANNEL } from "./status-feed.js";
/** pg_advisory_xact_lock(ORG_EVENTS_LOCK, orgId); 728301 and 728302 are taken (shared/orgs.ts, signing keys). */
const ORG_EVENTS_LOCK = 728303;

/** A transaction, not the pool: the advisory lock must last until commit. */
type Transaction = Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface TenantEventInput {
  envId: number;
  orgId: number;
  fromStatus: TenantStatus | null;
  toStatus: TenantStatus;
  reason: string;
  actor: string;
  createdAt?: Date;
}

export async function recordTenantEvent(tx: Transaction, event: TenantEventInput): Promise<void> {
  // Sent together, in this order, on the transaction's connection (postgres.js pipelines them):
  // one round trip instead of three, and the lock is still taken before the id is drawn.
  await Promise.all([
    tx.execute(sql`select pg_advisory_xact_lock(${ORG_EVENTS_LOCK}, ${event.orgId})`),
    tx.insert(tenantEvents).values(event),
    tx.execute(sql`select pg_notify(${TENANT_STATUS_CHANNEL}, ${JSON.stringify({ envId: event.envId, orgId: event.orgId, status: event.toStatus })})`),
  ]);
}
