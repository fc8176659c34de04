/** Revision 1, the spawn's template: recorded with the spawn, live once the tenant first becomes ready. */
import { and, eq, inArray } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { deployments } from "../db/schema.js";

export async function markTemplateRevisionLive(ctx: Pick<WorkerContext, "db">, envId: number): Promise<void> {
  const now = new Date();
  await ctx.db
    .update(deployments)
    .set({ status: "live", liveAt: now, finishedAt: now, updatedAt: now })
    .where(and(eq(deployments.envId, envId), eq(deployments.revision, 1), inArray(deployments.status, ["queued", "building", "starting"])));
}
