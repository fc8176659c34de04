/**
 * A tenant's idle policy (docs/idle.md): seconds without traffic before it is paused, then
 * stopped; null = never. Stored resolved on the tenant row; the platform defaults come from
 * TENANT_IDLE_PAUSE_S and TENANT_IDLE_STOP_S (0 = never).
 */
import { eq } from "drizzle-orm";
import type { AppContext } from "../context.js";
import type { Config } from "../config.js";
import { tenants, type Tenant } from "../db/schema.js";
import { AppError } from "../errors.js";
import { teardownStatuses } from "../tenant-state.js";
import { getTenantForOrg } from "./queries.js";

export interface IdlePolicy {
  pauseAfterSeconds: number | null;
  stopAfterSeconds: number | null;
}

export function defaultIdlePolicy(config: Pick<Config, "TENANT_IDLE_PAUSE_S" | "TENANT_IDLE_STOP_S">): IdlePolicy {
  return { pauseAfterSeconds: config.TENANT_IDLE_PAUSE_S || null, stopAfterSeconds: config.TENANT_IDLE_STOP_S || null };
}

export function idleColumns(p: IdlePolicy): { idlePauseAfterS: number | null; idleStopAfterS: number | null } {
  return { idlePauseAfterS: p.pauseAfterSeconds, idleStopAfterS: p.stopAfterSeconds };
}

export function idlePolicyOf(t: Pick<Tenant, "idlePauseAfterS" | "idleStopAfterS">): IdlePolicy {
  return { pauseAfterSeconds: t.idlePauseAfterS, stopAfterSeconds: t.idleStopAfterS };
}

/** PATCH /api/v1/tenant/:id: a new idle policy, from any state but torn down; idle time counts from now. */
export async function updateIdlePolicy(args: { ctx: AppContext; orgId: number; envId: number; idle: IdlePolicy }): Promise<Tenant> {
  const { ctx, orgId, envId, idle } = args;
  const current = await getTenantForOrg(ctx.db, orgId, envId);
  if (teardownStatuses.includes(current.status) || current.status === "failed") {
    throw new AppError("INVALID_STATE", `tenant ${envId} is ${current.status}; its idle policy can no longer change`);
  }
  const [updated] = await ctx.db
    .update(tenants)
    .set({ ...idleColumns(idle), lastActiveAt: new Date(), updatedAt: new Date() })
    .where(eq(tenants.envId, envId))
    .returning();
  return updated ?? current;
}
