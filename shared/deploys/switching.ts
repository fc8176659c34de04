/**
 * Tenants whose revision switch is under way (a deployment `starting`): the health sweep and the
 * reconciler leave them to their deploy job, which moves containers and the route on purpose. A
 * switch not heard of for longer than it can take (a worker that died mid-switch) counts no more.
 */
import { and, eq, gt } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { deployments } from "../db/schema.js";

export async function switchingTenants(ctx: Pick<WorkerContext, "db" | "config">): Promise<Set<number>> {
  const since = new Date(Date.now() - 2 * ctx.config.DEPLOY_HEALTH_TIMEOUT_MS - 60_000);
  const rows = await ctx.db
    .select({ envId: deployments.envId })
    .from(deployments)
    .where(and(eq(deployments.status, "starting"), gt(deployments.updatedAt, since)));
  return new Set(rows.map((r) => r.envId));
}
