/**
 * A live tenant whose container vanished (removed behind the platform's back, lost with a Docker
 * host) goes back to provisioning; the provision job re-creates it with the same port lease and
 * the same key, because both live in Postgres.
 */
import type { WorkerContext } from "../context.js";
import type { Tenant } from "../db/schema.js";
import { enqueueOrLeaveToReconciler, jobs } from "../jobs.js";
import { runningStatuses } from "../tenant-state.js";
import { transitionTenant } from "./transition.js";

export async function recreateMissingContainer(ctx: WorkerContext, tenant: Tenant, reason: string): Promise<boolean> {
  const moved = await transitionTenant(ctx, {
    envId: tenant.envId,
    from: runningStatuses,
    to: "provisioning",
    reason,
    actor: ctx.actor,
    patch: { containerId: null },
  });
  if (!moved) return false;
  ctx.logger.warn({ envId: tenant.envId }, reason);
  await enqueueOrLeaveToReconciler(ctx, jobs.provision, { envId: tenant.envId, reason: "recreate" });
  return true;
}
