/**
 * A tenant's ingress route, kept in step with its state (Postgres is the truth, the proxy a cache):
 * - published while the tenant's app starts (provision.ts) and in place before the tenant becomes
 *   ready, so its `url` answers the moment a client sees `ready`; a proxy that cannot be reached
 *   then does not hold the tenant back (the reconciler adds the route on its next round);
 * - withdrawn (`ctx.ingress.removeRoute`) before a destroy or a failure removes anything, so the
 *   hostname answers 404 at once and never reaches whatever gets the tenant's port (and address)
 *   next; that withdrawal must succeed, or the destroy or failure is retried;
 * - kept while the tenant is unhealthy (it may recover) and while it is being provisioned again;
 * - re-synced from Postgres by the reconciler every round (a proxy restarted empty gets every
 *   route back).
 */
import { switchingTenants } from "../deploys/switching.js";
import { inArray } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { tenants, type Tenant } from "../db/schema.js";
import { tenantRoute } from "../ingress/hostname.js";
import type { SyncResult } from "../ingress/types.js";
import { labelKeys, type ContainerInfo } from "../runtime/types.js";
import { liveStatuses, runningStatuses } from "../tenant-state.js";

/** Adds or updates the tenant's route; logs (and leaves it to the reconciler) when the proxy cannot be reached. */
export async function publishRoute(ctx: WorkerContext, tenant: Tenant, container: ContainerInfo | null): Promise<boolean> {
  try {
    await ctx.ingress.upsertRoute(tenantRoute(ctx.config, { ...tenant, port: tenant.port! }, container));
    return true;
  } catch (err) {
    ctx.logger.warn({ err, envId: tenant.envId }, "could not publish the tenant's ingress route; the reconciler will");
    return false;
  }
}

/**
 * Makes the proxy's routes what Postgres says: a route for every ready or unhealthy tenant whose
 * container exists (to the address the runtime reports now), the current one left alone for a
 * tenant being provisioned (provisioning publishes it while the app starts), none for anyone else.
 * Read inside the proxy's compare-and-swap, so a route withdrawn meanwhile is not written back.
 */
export async function syncRoutes(ctx: WorkerContext): Promise<SyncResult> {
  return ctx.ingress.sync(async () => {
    const [rows, containers, switching] = await Promise.all([
      ctx.db
        .select()
        .from(tenants)
        .where(inArray(tenants.status, [...liveStatuses])),
      ctx.runtime.listOwned(),
      switchingTenants(ctx),
    ]);
    const byEnvId = new Map(containers.filter((c) => c.labels[labelKeys.revision] === undefined).map((c) => [c.labels[labelKeys.envId], c]));
    const routes = [];
    const keep = [];
    for (const t of rows) {
      const container = byEnvId.get(String(t.envId));
      // A tenant whose revision switch runs has its route moved by its deploy job (shared/deploys/run.ts).
      if (runningStatuses.includes(t.status) && t.port && container?.name === t.containerName && !switching.has(t.envId)) {
        // A task placed nowhere for now (its Swarm node is down) keeps the address it last answered at.
        routes.push(tenantRoute(ctx.config, { ...t, port: t.port }, container.address ? container : { ...container, address: t.address }));
      } else {
        keep.push(t.envId);
      }
    }
    return { routes, keep };
  });
}
