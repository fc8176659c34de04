/**
 * The reconciler: Postgres is the source of truth, Docker and Redis are brought in line with it.
 * - a tenant in a transient state whose job is missing (Redis lost it, an enqueue failed) or
 *   finished without moving it on gets its job again; deterministic job ids make this a no-op
 *   while the job waits or runs;
 * - a tenant past its state's deadline while being provisioned is failed with an error naming
 *   the step;
 * - a destroy is never given up (failing it would leave whatever it could not remove with nobody
 *   responsible for it): it is retried until it succeeds, and past DEADLINE_DESTROYING_MS the
 *   tenant's `error` says so and why, and the worker logs it as an error, for an operator to see;
 * - a live tenant whose container is gone gets it back (same port, same key);
 * - a container with the owner labels and no live tenant is removed after a grace period, so a
 *   container being created right now is not taken. Nothing without the labels is touched;
 * - the tenants' network and its firewall rules are applied again (after a dockerd restart or a
 *   firewall flush), and networks of the instance that nothing uses any more are removed;
 * - the ingress's routes are made what Postgres says (a proxy restarted empty gets them all back).
 * The network and ingress steps are each logged and retried next round when they fail (the proxy
 * or the engine unreachable): they never stop the round.
 */
import { switchingTenants } from "../deploys/switching.js";
import { and, eq, inArray, lt } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { tenants, type Tenant } from "../db/schema.js";
import { jobs } from "../jobs.js";
import { scrubSecrets } from "../logger.js";
import { labelKeys } from "../runtime/types.js";
import { liveStatuses, provisionStatuses, runningStatuses, transientStatuses, type TenantStatus } from "../tenant-state.js";
import { failTenantAndCleanUp } from "./fail.js";
import { recreateMissingContainer } from "./recreate.js";
import { syncRoutes } from "./routes.js";
import { keepNetworksWarm } from "./warm-networks.js";

export interface ReconcileResult {
  requeued: number;
  timedOut: number;
  /** Destroys past DEADLINE_DESTROYING_MS newly reported on their tenant (they keep being retried). */
  overdueDestroys: number;
  recreated: number;
  orphansRemoved: number;
  /** Routes the ingress sync added, changed or removed. */
  routesSynced: number;
  networksRemoved: number;
  warmNetworksAdded: number;
  warmNetworksRemoved: number;
}

export async function reconcile(ctx: WorkerContext, opts: { requeueGraceMs?: number } = {}): Promise<ReconcileResult> {
  const timedOut = await enforceDeadlines(ctx);
  const overdueDestroys = await reportOverdueDestroys(ctx);
  const requeued = await requeueTransientTenants(ctx, opts.requeueGraceMs ?? 5_000);
  const { recreated, orphansRemoved } = await reconcileContainers(ctx);
  const networksRemoved = await reconcileNetwork(ctx);
  const routesSynced = await reconcileRoutes(ctx);
  const warm = await keepNetworksWarm(ctx).catch((err: unknown) => {
    ctx.logger.warn({ err }, "could not keep networks warm");
    return { added: 0, removed: 0 };
  });
  const result = { requeued, timedOut, overdueDestroys, recreated, orphansRemoved, routesSynced, networksRemoved, warmNetworksAdded: warm.added, warmNetworksRemoved: warm.removed };
  if (Object.values(result).some((n) => n > 0)) ctx.logger.info(result, "reconciler acted");
  return result;
}

export function deadlineFor(ctx: WorkerContext, status: TenantStatus): number {
  const c = ctx.config;
  switch (status) {
    case "pending":
      return c.DEADLINE_PENDING_MS;
    case "provisioning":
      return c.DEADLINE_PROVISIONING_MS;
    case "starting":
      // Every attempt may wait the full readiness timeout, plus back-off between attempts.
      return c.DEADLINE_STARTING_MS || c.PROVISION_ATTEMPTS * (c.TENANT_READY_TIMEOUT_MS + c.PROVISION_BACKOFF_MS * 4) + 60_000;
    case "destroying":
      return c.DEADLINE_DESTROYING_MS;
    default:
      return Infinity;
  }
}

async function enforceDeadlines(ctx: WorkerContext): Promise<number> {
  let failed = 0;
  for (const status of provisionStatuses) {
    const deadline = deadlineFor(ctx, status);
    const stuck = await ctx.db
      .select()
      .from(tenants)
      .where(and(eq(tenants.status, status), lt(tenants.statusChangedAt, new Date(Date.now() - deadline))));
    for (const t of stuck) {
      const message = `timed out in step "${status}": no progress for ${Math.round(deadline / 1000)}s (${stepHint(status)})`;
      try {
        if (await failTenantAndCleanUp(ctx, t, [status], message, { withLogs: status === "starting" })) failed++;
      } catch (err) {
        // The proxy or the engine could not be reached: the tenant is failed on a later round.
        ctx.logger.warn({ err, envId: t.envId }, "could not fail a tenant past its deadline; retrying next round");
      }
    }
  }
  return failed;
}

/** The start of the `error` of a tenant whose destroy is overdue. */
const OVERDUE_DESTROY = "destroy did not finish within";

/**
 * Past DEADLINE_DESTROYING_MS, a destroying tenant's `error` says so, with the destroy job's last
 * failure (a Docker engine that cannot be reached, say), and the worker logs it as an error. The
 * tenant stays `destroying` and its job keeps being retried (requeueTransientTenants); the note
 * is written again only when the reason changes. Returns how many tenants got a new note.
 */
async function reportOverdueDestroys(ctx: WorkerContext): Promise<number> {
  const deadline = deadlineFor(ctx, "destroying");
  const overdue = await ctx.db
    .select()
    .from(tenants)
    .where(and(eq(tenants.status, "destroying"), lt(tenants.statusChangedAt, new Date(Date.now() - deadline))));
  let reported = 0;
  for (const t of overdue) {
    const job = await ctx.queues.find(jobs.destroy, { envId: t.envId });
    const reason = job?.failedReason ? scrubSecrets(job.failedReason) : null;
    // Between a spent job and its replacement there is no reason to read: keep the one already recorded.
    if (!reason && t.lastError?.startsWith(OVERDUE_DESTROY)) continue;
    const message = `${OVERDUE_DESTROY} ${Math.round(deadline / 1000)}s (last failure: ${reason ?? "none recorded yet"}); it is retried until it does`;
    if (t.lastError === message) continue;
    const [noted] = await ctx.db
      .update(tenants)
      .set({ lastError: message, updatedAt: new Date() })
      .where(and(eq(tenants.envId, t.envId), eq(tenants.status, "destroying")))
      .returning({ envId: tenants.envId });
    if (!noted) continue;
    ctx.logger.error({ envId: t.envId, destroyingSince: t.statusChangedAt.toISOString() }, message);
    reported++;
  }
  return reported;
}

function stepHint(status: TenantStatus): string {
  if (status === "pending") return "no worker picked up the provision job";
  if (status === "provisioning") return "building the image or creating the container did not finish";
  return "the container never answered its health check";
}

export async function requeueTransientTenants(ctx: WorkerContext, graceMs: number): Promise<number> {
  const stale = await ctx.db
    .select({ envId: tenants.envId, status: tenants.status })
    .from(tenants)
    .where(and(inArray(tenants.status, [...transientStatuses]), lt(tenants.statusChangedAt, new Date(Date.now() - graceMs))));
  let enqueued = 0;
  for (const t of stale) {
    const added = t.status === "destroying" ? await ctx.queues.enqueue(jobs.destroy, { envId: t.envId }) : await ctx.queues.enqueue(jobs.provision, { envId: t.envId, reason: "reconcile" });
    if (added) enqueued++;
  }
  return enqueued;
}

async function reconcileContainers(ctx: WorkerContext): Promise<{ recreated: number; orphansRemoved: number }> {
  const containers = await ctx.runtime.listOwned();
  const rows = await ctx.db
    .select()
    .from(tenants)
    .where(inArray(tenants.status, [...liveStatuses]));
  const live = new Map<string, Tenant>(rows.map((t) => [String(t.envId), t]));
  // A tenant whose revision switch runs is its deploy job's: its containers come and go on purpose.
  const switching = await switchingTenants(ctx);

  let orphansRemoved = 0;
  const now = Date.now();
  for (const c of containers) {
    const tenant = live.get(c.labels[labelKeys.envId] ?? "");
    if (tenant && (c.name === tenant.containerName || switching.has(tenant.envId))) continue;
    if (now - c.createdAt.getTime() < ctx.config.ORPHAN_GRACE_MS) continue;
    await ctx.runtime.remove(c.name);
    orphansRemoved++;
    ctx.logger.warn({ container: c.name, envId: c.labels[labelKeys.envId] }, "removed an owned container that belongs to no live tenant");
  }

  let recreated = 0;
  const present = new Set(containers.map((c) => c.labels[labelKeys.envId]));
  for (const t of rows) {
    if (runningStatuses.includes(t.status) && !present.has(String(t.envId)) && !switching.has(t.envId)) {
      if (await recreateMissingContainer(ctx, t, "reconciler: container is missing")) recreated++;
    }
  }
  return { recreated, orphansRemoved };
}

/** Re-applies the tenants' network and firewall, and removes the instance's networks nothing uses. */
async function reconcileNetwork(ctx: WorkerContext): Promise<number> {
  try {
    await ctx.runtime.ensureNetwork();
  } catch (err) {
    ctx.logger.warn({ err }, "could not apply the tenant network and its firewall rules; retrying next round");
  }
  try {
    // The grace spares a network another process (with another configuration) just created.
    const removed = await ctx.runtime.removeUnusedNetworks({ graceMs: ctx.config.ORPHAN_GRACE_MS });
    if (removed.length) ctx.logger.info({ networks: removed }, "removed tenant networks nothing uses");
    return removed.length;
  } catch (err) {
    ctx.logger.warn({ err }, "could not remove unused tenant networks; retrying next round");
    return 0;
  }
}

async function reconcileRoutes(ctx: WorkerContext): Promise<number> {
  try {
    const { added, updated, removed } = await syncRoutes(ctx);
    if (added.length || updated.length || removed.length) ctx.logger.info({ added, updated, removed }, "ingress routes re-synced");
    return added.length + updated.length + removed.length;
  } catch (err) {
    ctx.logger.warn({ err }, "could not sync the ingress routes; retrying next round");
    return 0;
  }
}
