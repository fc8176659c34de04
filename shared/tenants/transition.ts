/**
 * The only way a tenant's status changes. The row is locked, the edge checked against the state
 * machine and the expected source states, and the event recorded, in one transaction: two
 * workers racing for the same tenant cannot both win.
 */
import { and, eq } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { tenants, type Tenant } from "../db/schema.js";
import { canTransition, type TenantStatus } from "../tenant-state.js";
import { recordWebhookEvent } from "../webhooks/event-catalog.js";
import { recordTenantEvent } from "./event-log.js";

export interface Transition {
  envId: number;
  /** The states the caller expects the tenant to be in; anything else means someone else moved it. */
  from: readonly TenantStatus[];
  to: TenantStatus;
  reason: string;
  actor: string;
  patch?: Partial<Omit<Tenant, "envId" | "status">>;
  /**
   * Work the change must not be seen before (the CPU quota, the ingress route of a tenant becoming
   * ready), already running: the transaction does its own work meanwhile and commits only once
   * this resolves; a rejection rolls the change back and is thrown. The row lock is held while
   * it runs, the organisation's event lock is not.
   */
  commitAfter?: Promise<unknown>;
}

/** What a transition needs: the database, and what the webhook payload's `url` is made of. */
export interface TransitionContext {
  db: Db;
  config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">;
}

/** Returns the updated tenant, or null when it was not in one of the expected states. */
export async function transitionTenant(ctx: TransitionContext, t: Transition): Promise<Tenant | null> {
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(tenants).where(eq(tenants.envId, t.envId)).for("update");
    if (!current || !t.from.includes(current.status) || !canTransition(current.status, t.to)) return null;
    const now = new Date();
    const [[updated]] = await Promise.all([
      tx
        .update(tenants)
        .set({ ...t.patch, status: t.to, statusChangedAt: now, updatedAt: now })
        .where(and(eq(tenants.envId, t.envId), eq(tenants.status, current.status)))
        .returning(),
      t.commitAfter,
    ]);
    // Same transaction: the event, its NOTIFY (status?wait=, event streams) and the webhook event
    // exist if and only if the change committed.
    await recordTenantEvent(tx, {
      envId: t.envId,
      orgId: current.orgId,
      fromStatus: current.status,
      toStatus: t.to,
      reason: t.reason,
      actor: t.actor,
      createdAt: now,
    });
    if (updated) await recordWebhookEvent(tx, ctx.config, current, updated, t.reason);
    return updated ?? null;
  });
}
