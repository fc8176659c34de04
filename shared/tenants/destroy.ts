/**
 * Tearing a tenant down, in two halves: requestDestroy (API) records the desire and enqueues;
 * destroyTenant (worker) withdraws the ingress route, removes the container, frees the port,
 * revokes the key and keeps the row as `destroyed` for billing history. Both are safe to repeat.
 */
import { removeDeployImages } from "../deploys/run.js";
import { eq } from "drizzle-orm";
import type { AppContext, WorkerContext } from "../context.js";
import { tenants, type Tenant } from "../db/schema.js";
import { enqueueOrLeaveToReconciler, jobs } from "../jobs.js";
import { limitsOf } from "../limits/limits.js";
import { takeToken } from "../limits/rate.js";
import { sourcesOf } from "../tenant-state.js";
import { getTenant, getTenantForOrg } from "./queries.js";
import { releasePort } from "./ports.js";
import { transitionTenant } from "./transition.js";

export async function requestDestroy(args: { ctx: AppContext; orgId: number; envId: number }): Promise<Tenant> {
  const { ctx, orgId, envId } = args;
  const current = await getTenantForOrg(ctx.db, orgId, envId);
  if (current.status === "destroyed") return current;
  // Asking again while it is destroying costs nothing; a new destroy takes from the organisation's rate.
  if (current.status !== "destroying") {
    const { limits } = await limitsOf(ctx.db, ctx.config, orgId);
    await takeToken(ctx, orgId, "destroysPerMinute", limits.destroysPerMinute);
  }
  const moved =
    current.status === "destroying"
      ? current
      : await transitionTenant(ctx, {
          envId,
          from: sourcesOf("destroying"),
          to: "destroying",
          reason: "destroy requested",
          actor: ctx.actor,
        });
  // Someone else moved it first (e.g. it just became destroying): report what it is now.
  const tenant = moved ?? (await getTenantForOrg(ctx.db, orgId, envId));
  if (tenant.status === "destroying") await enqueueOrLeaveToReconciler(ctx, jobs.destroy, { envId });
  return tenant;
}

export async function destroyTenant(ctx: WorkerContext, envId: number): Promise<void> {
  const tenant = await getTenant(ctx.db, envId);
  if (!tenant || tenant.status === "destroyed") return;
  if (tenant.status !== "destroying") {
    ctx.logger.warn({ envId, status: tenant.status }, "destroy job for a tenant that is not destroying; ignored");
    return;
  }
  // First, so the hostname answers 404 at once; a proxy that cannot be reached fails the job,
  // which is retried: the port (and with it the address the route dials) is never released while
  // a route may still lead to it.
  await ctx.ingress.removeRoute(envId);
  await ctx.runtime.remove(tenant.containerName);
  // A destroyed tenant leaves no image behind (docs/deploys.md).
  await removeDeployImages(ctx, envId);
  await ctx.db.transaction(async (tx) => {
    await releasePort(tx, envId);
    await tx.update(tenants).set({ apiKeyRevokedAt: new Date() }).where(eq(tenants.envId, envId));
  });
  await transitionTenant(ctx, {
    envId,
    from: ["destroying"],
    to: "destroyed",
    reason: "route withdrawn, container removed, port released, key revoked",
    actor: ctx.actor,
    patch: { destroyedAt: new Date() },
  });
  ctx.logger.info({ envId }, "tenant destroyed");
}
