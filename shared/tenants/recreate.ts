/**
 * A live tenant whose container vanished (removed behind the platform's back, lost with a Docker
 * host) goes back to provisioning; the provision job re-creates it with the same port lease and
 * the same key, because both live in Postgres.
 */
import type { WorkerContext } from "../context.js";
import type { Tenant } from "../db/schema.js";
import { transitionTenant } from "./transition.js";

export async function recreateMissingContainer(ctx: WorkerContext, tenant: Tenant, reason: string): Promise<boolean> {
  const moved = await transitionTenant(ctx.db, {
    envId: tenant.envId,
    from: ["ready", "unhealthy"],
    to: "provisioning",
    reason,
    actor: ctx.actor,
    patch: { containerId: null },
  });
  if (!moved) return false;
  await ctx.queues.provisionAgain({ envId: tenant.envId, reason: "recreate" });
  ctx.logger.warn({ tenantId: tenant.envId }, reason);
  return true;
}
