/**
 * The health sweep: one runtime list call for every owned container (or Swarm service, with its
 * task's node), one bounded-concurrency round of GET /health probes at the address the runtime
 * reports, one batched write of the results. Tenants move ready ⇄ unhealthy: after
 * HEALTH_FAILURE_THRESHOLD consecutive failed probes, at once when the runtime itself reports the
 * container not running (exited, restarting, a task whose node is down), and back on the first
 * success. A tenant the runtime now places on another node (Swarm rescheduled it) moves
 * ready → unhealthy at once and back to ready, with its new node and address recorded and its
 * ingress route moved there, once it answers there. An exited container is restarted with doubling back-off and, past
 * HEALTH_MAX_RESTARTS, the tenant is failed as a crash loop (its container removed, its last log
 * lines kept in `error`). A live tenant whose container is gone is handed back to provisioning
 * (same port, same key).
 */
import { switchingTenants } from "../deploys/switching.js";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { WorkerContext } from "../context.js";
import { tenants, type Tenant } from "../db/schema.js";
import { ContainerUnstartableError, EngineUnavailableError, labelKeys, type ContainerInfo } from "../runtime/types.js";
import { runningStatuses } from "../tenant-state.js";
import { failTenantAndCleanUp } from "./fail.js";
import { decideHealth, decideRestart } from "./health-decision.js";
import { describePlacement, hasMoved, placementChanged, placementOf } from "./placement.js";
import { probeTenant, type Probe } from "./probe.js";
import { recreateMissingContainer } from "./recreate.js";
import { publishRoute } from "./routes.js";
import { transitionTenant } from "./transition.js";

export interface SweepResult {
  tenants: number;
  healthy: number;
  failing: number;
  restarted: number;
  recreated: number;
  ms: number;
}

/**
 * Probes every ready or unhealthy tenant, or with `onlyUnhealthy` just the unhealthy ones (to see
 * those that came back, without counting extra failures against the others), and acts on it.
 */
export async function sweepHealth(ctx: WorkerContext, opts: { onlyUnhealthy?: boolean } = {}): Promise<SweepResult> {
  const started = performance.now();
  const statuses = opts.onlyUnhealthy ? (["unhealthy"] as const) : runningStatuses;
  const liveQuery = ctx.db
    .select()
    .from(tenants)
    .where(inArray(tenants.status, [...statuses]));
  // Every spawn's start asks for the unhealthy to be checked: with none, not even the engine is asked.
  const unhealthy = opts.onlyUnhealthy ? await liveQuery : null;
  if (unhealthy?.length === 0) return { tenants: 0, healthy: 0, failing: 0, restarted: 0, recreated: 0, ms: Math.round(performance.now() - started) };
  const [all, containers, switching] = await Promise.all([unhealthy ?? liveQuery, ctx.runtime.listOwned(), switchingTenants(ctx)]);
  // A tenant whose revision switch runs is its deploy job's (shared/deploys/run.ts).
  const live = all.filter((t) => !switching.has(t.envId));
  const byEnvId = new Map<string, ContainerInfo>();
  for (const c of containers) if (c.labels[labelKeys.revision] === undefined) byEnvId.set(c.labels[labelKeys.envId] ?? "", c);

  const result: SweepResult = { tenants: live.length, healthy: 0, failing: 0, restarted: 0, recreated: 0, ms: 0 };
  const probes = await mapLimit(live, ctx.config.HEALTH_CONCURRENCY, (t) => probe(ctx, t, byEnvId.get(String(t.envId))));
  const checkedAt = new Date();
  const quiet: Array<{ envId: number; failures: number }> = [];

  for (let i = 0; i < live.length; i++) {
    const tenant = live[i]!;
    const container = byEnvId.get(String(tenant.envId));
    const outcome = probes[i]!;
    const log = ctx.logger.child({ envId: tenant.envId });
    const actions = decideHealth(
      {
        status: tenant.status as "ready" | "unhealthy",
        consecutiveFailures: tenant.consecutiveFailures,
        containerState: container?.state ?? null,
        moved: container ? hasMoved(tenant, container) : false,
        placementChanged: container ? placementChanged(tenant, container) : false,
        probe: outcome,
      },
      { failureThreshold: ctx.config.HEALTH_FAILURE_THRESHOLD },
    );
    if (container) result[outcome.ok ? "healthy" : "failing"]++;
    const now = container ? placementOf(container) : null;
    const where = () => `${describePlacement(tenant)} to ${describePlacement(now!)}`;

    for (const action of actions) {
      switch (action.kind) {
        case "recreate":
          result.recreated += (await recreateMissingContainer(ctx, tenant, "health sweep: container is missing")) ? 1 : 0;
          break;
        case "rescheduled":
          // The runtime placed it elsewhere (Swarm rescheduled its task after its node died): the
          // organisation hears of it as unhealthy, then recovered.
          await transitionTenant(ctx, {
            envId: tenant.envId,
            from: ["ready"],
            to: "unhealthy",
            reason: `rescheduled from ${where()}`,
            actor: ctx.actor,
            patch: { consecutiveFailures: action.failures, lastCheckAt: checkedAt, lastError: action.error ?? `rescheduled from ${where()}` },
          });
          log.warn({ from: tenant.address, to: now!.address }, "tenant rescheduled to another node");
          break;
        case "recover":
          // The route first, so that the `url` answers the moment the tenant is ready again.
          await onPlacementChanged(ctx, tenant, container!);
          await transitionTenant(ctx, {
            envId: tenant.envId,
            from: ["unhealthy"],
            to: "ready",
            reason: action.moved ? `health check passes at its new address: moved from ${where()}` : "health check passes again",
            actor: ctx.actor,
            patch: { ...now!, consecutiveFailures: 0, lastCheckAt: checkedAt, lastError: null },
          });
          log.info({ address: now!.address }, "tenant recovered");
          break;
        case "record-placement":
          await ctx.db
            .update(tenants)
            .set(now!)
            .where(and(eq(tenants.envId, tenant.envId), eq(tenants.status, "ready")));
          await onPlacementChanged(ctx, tenant, container!);
          break;
        case "unhealthy":
          await transitionTenant(ctx, {
            envId: tenant.envId,
            from: ["ready"],
            to: "unhealthy",
            reason: `health check failed ${action.failures}× (${action.error})`,
            actor: ctx.actor,
            patch: { consecutiveFailures: action.failures, lastCheckAt: checkedAt, lastError: action.error },
          });
          log.warn({ failures: action.failures, error: action.error }, "tenant unhealthy");
          break;
        case "count":
          quiet.push({ envId: tenant.envId, failures: action.failures });
          break;
        case "restart":
          if (await restartWithBackoff(ctx, tenant, container!, checkedAt)) result.restarted++;
          break;
      }
    }
  }

  // One statement for every tenant whose status did not change. The crash-loop counter is
  // forgiven only after the container has stayed up for HEALTH_STABLE_MS since its last restart.
  if (quiet.length) {
    const stableSince = new Date(checkedAt.getTime() - ctx.config.HEALTH_STABLE_MS).toISOString();
    await ctx.db.execute(sql`
      update tenants t set last_check_at = ${checkedAt.toISOString()}::timestamptz, consecutive_failures = v.failures,
        crash_restarts = case when v.failures = 0 and (t.next_restart_at is null or t.next_restart_at < ${stableSince}::timestamptz) then 0 else t.crash_restarts end
      from (select unnest(${sql.raw(`array[${quiet.map((q) => q.envId).join(",")}]::int[]`)}) as env_id,
                   unnest(${sql.raw(`array[${quiet.map((q) => q.failures).join(",")}]::int[]`)}) as failures) v
      where t.env_id = v.env_id and t.status in ${[...runningStatuses]}`);
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

async function probe(ctx: WorkerContext, tenant: Tenant, container: ContainerInfo | undefined): Promise<Probe> {
  if (!container) return { ok: false, error: "container is missing" };
  if (container.state !== "running") {
    return { ok: false, error: `container is ${container.state} ${container.node ? `on ${describePlacement(placementOf(container))}` : "and placed on no node"}` };
  }
  if (!container.address) return { ok: false, error: "container publishes no address" };
  const template = ctx.templates.get(tenant.language, tenant.framework);
  return probeTenant(ctx.config, container.address, template?.healthPath ?? "/health");
}

/**
 * The tenant now answers somewhere else than recorded: its ingress route follows it at once (a
 * proxy that cannot be reached is left to the reconciler, which syncs routes to where the runtime
 * reports every tenant).
 */
async function onPlacementChanged(ctx: WorkerContext, tenant: Tenant, container: ContainerInfo): Promise<void> {
  if (container.address === tenant.address) return;
  ctx.logger.info({ envId: tenant.envId, from: tenant.address, to: container.address }, "tenant address changed");
  await publishRoute(ctx, tenant, container);
}

/** Restarts an exited container unless its back-off has not elapsed; fails the tenant past the limit. */
async function restartWithBackoff(ctx: WorkerContext, tenant: Tenant, container: ContainerInfo, now: Date): Promise<boolean> {
  const decision = decideRestart(tenant, now, { maxRestarts: ctx.config.HEALTH_MAX_RESTARTS, backoffMs: ctx.config.HEALTH_RESTART_BACKOFF_MS });
  if (decision.kind === "wait") return false;
  const log = ctx.logger.child({ envId: tenant.envId });
  if (decision.kind === "give-up") {
    const reason = `crash loop: the container kept exiting after ${tenant.crashRestarts} restarts; not restarting it again`;
    // A proxy or engine that cannot be reached leaves it for the next sweep, not the rest of this one.
    await failTenantAndCleanUp(ctx, tenant, runningStatuses, reason, { withLogs: true }).catch((err: unknown) =>
      log.warn({ err }, "could not fail the crash-looping tenant; retrying next sweep"),
    );
    return false;
  }
  const { restarts, backoffMs: backoff } = decision;
  // Claim the restart in the database first, so that two sweeps can never both restart it.
  const claimed = await ctx.db
    .update(tenants)
    .set({ crashRestarts: restarts, restartCount: sql`${tenants.restartCount} + 1`, nextRestartAt: new Date(now.getTime() + backoff) })
    .where(sql`${tenants.envId} = ${tenant.envId} and ${tenants.crashRestarts} = ${tenant.crashRestarts}`)
    .returning({ envId: tenants.envId });
  if (!claimed.length) return false;
  try {
    await ctx.runtime.start(container.name);
    log.info({ restarts, nextBackoffMs: backoff }, "restarted exited container");
    return true;
  } catch (err) {
    if (err instanceof ContainerUnstartableError) {
      // Restarting will never work: replace the container (same port lease and key, from Postgres).
      log.warn({ err }, "exited container cannot be started again; re-creating it");
      await ctx.runtime.remove(container.name);
      await recreateMissingContainer(ctx, tenant, `health sweep: the container could not be started again (${err.message}); re-creating it`);
      return false;
    }
    if (err instanceof EngineUnavailableError) {
      // Nothing was restarted and the container is not to blame (the engine is restarting, say):
      // the claim is taken back, so the restart is neither counted nor delayed once the engine answers.
      await ctx.db
        .update(tenants)
        .set({ crashRestarts: tenant.crashRestarts, restartCount: sql`${tenants.restartCount} - 1`, nextRestartAt: tenant.nextRestartAt })
        .where(sql`${tenants.envId} = ${tenant.envId} and ${tenants.crashRestarts} = ${restarts}`);
      log.warn({ err }, "restart of exited container failed: the engine is unavailable; tried again once it answers");
      return false;
    }
    log.warn({ err }, "restart of exited container failed");
    return false;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
