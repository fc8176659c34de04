/** Revision 1, the spawn's template: recorded with the spawn, live once the tenant first becomes ready. */
import { and, eq, inArray } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { deployments } from "../db/schema.js";

/** `image`: the template image it runs, recorded so that a later rollback to revision 1 needs no rebuild. */
export async function markTemplateRevisionLive(ctx: Pick<WorkerContext, "db">, envId: number, image: string): Promise<void> {
  const now = new Date();
  await ctx.db
    .update(deployments)
    .set({ status: "live", image, liveAt: now, finishedAt: now, updatedAt: now })
    .where(and(eq(deployments.envId, envId), eq(deployments.revision, 1), inArray(deployments.status, ["queued", "building", "starting"])));
}
