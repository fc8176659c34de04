/**
 * Deployments whose job Redis lost (or whose worker died for good) are not left under way for
 * ever, blocking every later deploy of their tenant (one at a time): the reconciler enqueues the job
 * of every deployment under way again (a no-op while it is queued or running: deterministic job
 * ids), and fails one not heard of for longer than a build and two switches can take.
 */
import { and, inArray, lt, sql } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { deployments } from "../db/schema.js";
import { enqueueOrLeaveToReconciler, jobs } from "../jobs.js";

/** A deployment not updated for this long (its log is written every second while it runs) is given up. */
export const deploymentDeadlineMs = (c: WorkerContext["config"]) => c.DEPLOY_BUILD_TIMEOUT_S * 1000 + 2 * c.DEPLOY_HEALTH_TIMEOUT_MS + 5 * 60_000;

export async function recoverDeployments(ctx: WorkerContext, graceMs = 10_000): Promise<{ requeued: number; failed: number }> {
  const now = Date.now();
  const active = await ctx.db
    .select({ id: deployments.id, envId: deployments.envId, revision: deployments.revision, source: deployments.source, updatedAt: deployments.updatedAt })
    .from(deployments)
    .where(and(inArray(deployments.status, ["queued", "building", "starting"]), sql`${deployments.source} <> 'template'`, lt(deployments.updatedAt, new Date(now - graceMs))));
  const stale = active.filter((d) => now - d.updatedAt.getTime() > deploymentDeadlineMs(ctx.config));
  if (stale.length) {
    const reason = `no worker finished it within ${Math.round(deploymentDeadlineMs(ctx.config) / 1000)}s; the live revision kept serving`;
    await ctx.db
      .update(deployments)
      .set({ status: "failed", error: reason, finishedAt: new Date(), updatedAt: new Date() })
      .where(
        inArray(
          deployments.id,
          stale.map((d) => d.id),
        ),
      );
    ctx.logger.warn({ deployments: stale.map((d) => `${d.envId}/r${d.revision}`) }, "deployments given up");
  }
  let requeued = 0;
  for (const d of active) {
    if (stale.includes(d)) continue;
    await enqueueOrLeaveToReconciler(ctx, jobs.deploy, { envId: d.envId, revision: d.revision });
    requeued++;
  }
  return { requeued, failed: stale.length };
}
