/**
 * The reconciler: Postgres is the source of truth, Redis only carries work. Tenants sitting in a
 * transient state get their job enqueued again (a no-op while the job still exists, thanks to
 * deterministic job ids), so a lost enqueue or a Redis that lost everything still converges.
 */
import { and, inArray, lt } from "drizzle-orm";
import type { WorkerContext } from "../shared/context.js";
import { tenants } from "../shared/db/schema.js";
import { jobIds } from "../shared/jobs.js";

export async function requeueTransientTenants(ctx: WorkerContext, graceMs = 5_000): Promise<number> {
  const stale = await ctx.db
    .select({ envId: tenants.envId, status: tenants.status })
    .from(tenants)
    .where(
      and(
        inArray(tenants.status, ["pending", "provisioning", "starting", "destroying"]),
        lt(tenants.statusChangedAt, new Date(Date.now() - graceMs)),
      ),
    );
  let enqueued = 0;
  for (const t of stale) {
    const destroy = t.status === "destroying";
    const id = destroy ? jobIds.destroy(t.envId) : jobIds.provision(t.envId);
    const existing = await ctx.queues.lifecycle.getJob(id);
    if (existing) {
      // A failed job keeps its id; the tenant is not final, so the work must run again.
      if (!(await existing.isFailed())) continue;
      await existing.remove();
    }
    if (destroy) await ctx.queues.enqueueDestroy({ envId: t.envId });
    else await ctx.queues.enqueueProvision({ envId: t.envId });
    enqueued++;
  }
  if (enqueued) ctx.logger.info({ enqueued }, "reconciler re-enqueued tenants whose jobs were missing");
  return enqueued;
}
