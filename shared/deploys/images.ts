/**
 * A tenant's deploy images: the newest DEPLOY_KEEP revisions' (and the live one's) are kept, older
 * ones removed (their revisions show `image: null`: no rollback to them); a destroyed tenant's all go.
 * Apart from ./run.ts so that the destroy verb (in the API's module graph too) reaches no runtime module.
 */
import { eq, inArray } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { deployments } from "../db/schema.js";

/** The value of labelKeys.deployOf on a tenant's deploy images. */
export const deployOf = (instance: string, envId: number) => `${instance}/${envId}`;

/** Keeps the images of the newest DEPLOY_KEEP revisions (and the live one); older revisions lose theirs (no rollback to them). */
export async function pruneImages(ctx: WorkerContext, envId: number): Promise<void> {
  const revisions = ctx.runtime.revisions;
  if (!revisions) return;
  const rows = await ctx.db
    .select({ id: deployments.id, revision: deployments.revision, image: deployments.image, status: deployments.status })
    .from(deployments)
    .where(eq(deployments.envId, envId));
  const own = rows.filter((r) => r.image?.startsWith(`convergence-deploy-${envId}:`)).sort((a, b) => b.revision - a.revision);
  const of = deployOf(ctx.config.CONVERGENCE_INSTANCE, envId);
  const keepImages = new Set<string>();
  for (const r of own) {
    if (keepImages.size < ctx.config.DEPLOY_KEEP || r.status === "live") keepImages.add(r.image!);
  }
  const removed = await revisions.removeImages(of, [...keepImages]);
  const gone = own.filter((r) => !keepImages.has(r.image!)).map((r) => r.id);
  if (gone.length) await ctx.db.update(deployments).set({ image: null }).where(inArray(deployments.id, gone));
  if (removed.length) ctx.logger.info({ envId, removed }, "removed old deploy images");
}

/** Every deploy image of a destroyed tenant goes. */
export async function removeDeployImages(ctx: WorkerContext, envId: number): Promise<void> {
  await ctx.runtime.revisions?.removeImages(deployOf(ctx.config.CONVERGENCE_INSTANCE, envId), []);
}
