/**
 * Scale to zero (docs/idle.md): putting a tenant to sleep and waking it, in two halves like a
 * destroy. The desired state is written first (ready → paused | stopped, paused | stopped →
 * waking) through transitionTenant, then a job makes the container match it:
 * - sleepTenant points the tenant's route at the waker, checks that no request is in flight to
 *   the tenant at the proxy (a stream, a long request), then pauses or stops it;
 *   traffic found there turns the sleep into a wake instead, so nothing is ever frozen under a request;
 * - wakeTenant unpauses or starts it, waits for its health check, makes it ready (`tenant.woke`)
 *   and puts its direct route back.
 * Both jobs are fenced per tenant with provision and destroy, and do nothing unless the tenant is
 * still in the state they were enqueued for.
 */
import { eq, sql } from "drizzle-orm";
import type { AppContext, WorkerContext } from "../context.js";
import type { Tx } from "../db/client.js";
import { tenants, type Tenant } from "../db/schema.js";
import { AppError } from "../errors.js";
import { tenantRoute, wakerRoute } from "../ingress/hostname.js";
import { enqueueOrLeaveToReconciler, jobs } from "../jobs.js";
import { scrubSecrets } from "../logger.js";
import { SPAWN_ADMISSION_LOCK, capacityMemoryMb, reservedMemorySql } from "../limits/admission.js";
import { runtimeCanPause } from "../runtime-capabilities.js";
import { liveStatuses, runningStatuses, sleepingStatuses, type TenantStatus } from "../tenant-state.js";
import { acceptsConnections, probeTenant } from "./probe.js";
import { getTenant, getTenantForOrg } from "./queries.js";
import { transitionTenant } from "./transition.js";

export type SleepMode = "paused" | "stopped";

/** Where each sleep may come from: a stop also from paused (the idle policy's second step). */
const sleepSources: Record<SleepMode, readonly TenantStatus[]> = { paused: runningStatuses, stopped: [...runningStatuses, "paused"] };

/**
 * Records that the tenant should sleep and enqueues the job that makes it so. Already in that
 * state: nothing to do. The API (POST /sleep, actor "api") and the idle watch (worker) both call it.
 */
export async function requestSleep(args: { ctx: AppContext; envId: number; orgId?: number; mode: SleepMode; reason: string; from?: readonly TenantStatus[] }): Promise<Tenant> {
  const { ctx, envId, mode } = args;
  const current = args.orgId !== undefined ? await getTenantForOrg(ctx.db, args.orgId, envId) : await getTenant(ctx.db, envId);
  if (!current) throw new AppError("NOT_FOUND", `tenant ${envId} not found`);
  if (mode === "paused" && !runtimeCanPause(ctx.config)) {
    throw new AppError("INVALID_STATE", `the ${ctx.config.CONVERGENCE_RUNTIME} runtime cannot pause a tenant (a paused task's requests would hang); use mode "stopped"`);
  }
  if (current.status === mode) return current;
  const from = args.from ?? sleepSources[mode];
  if (!from.includes(current.status)) {
    throw new AppError("INVALID_STATE", `tenant ${envId} is ${current.status}; it can be ${mode} while it is ${from.join(" or ")}`);
  }
  const moved = await transitionTenant(ctx, { envId, from, to: mode, reason: args.reason, actor: ctx.actor });
  if (!moved) throw new AppError("CONFLICT", `tenant ${envId} changed state meanwhile; try again`);
  await enqueueOrLeaveToReconciler(ctx, jobs.sleep, { envId });
  return moved;
}

/**
 * Records that the tenant should wake (paused | stopped → waking) and enqueues the wake job;
 * waking or ready already: nothing to do (so 50 requests at once make one wake). A wake the
 * host's capacity has no room for is refused with 503 CAPACITY_EXHAUSTED and changes nothing.
 */
export async function requestWake(args: { ctx: AppContext; envId: number; orgId?: number; reason: string }): Promise<Tenant> {
  const { ctx, envId } = args;
  const current = args.orgId !== undefined ? await getTenantForOrg(ctx.db, args.orgId, envId) : await getTenant(ctx.db, envId);
  if (!current) throw new AppError("NOT_FOUND", `tenant ${envId} not found`);
  if (current.status === "waking") {
    // Its job may have been lost (or failed its attempts): asking again is cheap, and a no-op while it waits or runs.
    await enqueueOrLeaveToReconciler(ctx, jobs.wake, { envId });
    return current;
  }
  if (!sleepingStatuses.includes(current.status)) {
    if (current.status === "ready" || current.status === "unhealthy") return current;
    throw new AppError("INVALID_STATE", `tenant ${envId} is ${current.status}; only a paused or stopped tenant can be woken`);
  }
  const moved = await ctx.db.transaction(async (tx) => {
    await admitWake(tx, ctx.config, current);
    return transitionTenant({ ...ctx, db: tx as unknown as AppContext["db"] }, { envId, from: sleepingStatuses, to: "waking", reason: args.reason, actor: ctx.actor });
  });
  const tenant = moved ?? (await getTenant(ctx.db, envId)) ?? current;
  if (tenant.status === "waking") await enqueueOrLeaveToReconciler(ctx, jobs.wake, { envId });
  return tenant;
}

/**
 * Capacity follows use: waking takes the tenant from what it holds asleep (nothing stopped, its
 * memory when paused) to its full limit. Refused when the host has no room for that.
 */
async function admitWake(tx: Tx, config: AppContext["config"], t: Tenant): Promise<void> {
  const [, [row]] = await Promise.all([
    tx.execute(sql`select pg_advisory_xact_lock(${SPAWN_ADMISSION_LOCK})`),
    tx.execute<{ reserved: number }>(sql`select ${reservedMemorySql(config)} as "reserved" from tenants where status in ${[...liveStatuses]}`),
  ]);
  const reservedMb = row?.reserved ?? 0;
  const holdsMb = t.status === "paused" ? Math.min(t.sleepMemoryMb ?? config.TENANT_MEMORY_MB, config.TENANT_MEMORY_MB) : 0;
  const allowedMb = Math.floor(capacityMemoryMb(config) * config.CAPACITY_MEMORY_SHARE);
  const needMb = reservedMb - holdsMb + config.TENANT_MEMORY_MB;
  if (needMb > allowedMb) {
    throw new AppError(
      "CAPACITY_EXHAUSTED",
      `the platform is at capacity: waking tenant ${t.envId} would reserve ${needMb} MB of tenant memory, over the ${allowedMb} MB allowed; try again later, or put another tenant to sleep`,
      { limit: "capacityMemoryMb", reservedMb, allowedMb, tenantMemoryMb: config.TENANT_MEMORY_MB },
      { "Retry-After": "60" },
    );
  }
}

/** The sleep job: makes a paused or stopped tenant's container match its state. */
export async function sleepTenant(ctx: WorkerContext, envId: number): Promise<"slept" | "woken" | "skipped"> {
  const tenant = await getTenant(ctx.db, envId);
  if (!tenant || !sleepingStatuses.includes(tenant.status)) return "skipped";
  const mode = tenant.status as SleepMode;
  const log = ctx.logger.child({ envId, mode });
  const container = await ctx.runtime.inspect(tenant.containerName);
  // First the route: new requests go to the waker (which holds them and wakes the tenant) from now on.
  const direct = container ? routeUpstream(container) : null;
  await ctx.ingress.upsertRoute(wakerRoute(ctx.config, tenant));
  if (container && container.state === "running") {
    // Then what was already under way at the ingress: a request in flight (a stream, a long
    // request) and the tenant stays up. Open connections are not asked here: the proxy keeps idle
    // ones to its upstreams, and the idle watch has already seen the whole period (idle.ts).
    const inFlight = direct ? ((await ctx.ingress.inFlight([direct])).get(direct) ?? 0) : 0;
    if (inFlight > 0) {
      const why = `traffic while going to sleep (${inFlight} request(s) in flight at the ingress): stays awake`;
      log.info({ inFlight }, why);
      const moved = await transitionTenant(ctx, { envId, from: [mode], to: "waking", reason: why, actor: ctx.actor, patch: { lastActiveAt: new Date() } });
      if (moved) await enqueueOrLeaveToReconciler(ctx, jobs.wake, { envId });
      return "woken";
    }
    const memoryMb = mode === "paused" ? await ctx.runtime.memoryUsageMb?.(tenant.containerName).catch(() => null) : null;
    await ctx.runtime.sleep(tenant.containerName, mode);
    await ctx.db
      .update(tenants)
      .set({ sleepMemoryMb: mode === "paused" ? (memoryMb ?? null) : 0 })
      .where(eq(tenants.envId, envId));
  } else if (container && mode === "stopped") {
    await ctx.runtime.sleep(tenant.containerName, mode);
    await ctx.db.update(tenants).set({ sleepMemoryMb: 0 }).where(eq(tenants.envId, envId));
  }
  // Sleep and wake jobs are fenced apart only per job: a wake asked for while this one ran (a
  // request at the waker) may have found the container still awake and made the tenant ready.
  // Looked at after the container slept: woken meanwhile, it is woken here too; woken later, its
  // own wake job comes after this sleep and wakes it.
  const now = await getTenant(ctx.db, envId);
  if (now?.status === "stopped" && mode === "paused" && container) {
    // Stopped meanwhile (the idle policy's next step, its job deduplicated against this one).
    await ctx.runtime.sleep(tenant.containerName, "stopped");
    await ctx.db.update(tenants).set({ sleepMemoryMb: 0 }).where(eq(tenants.envId, envId));
  } else if (now && !sleepingStatuses.includes(now.status) && container) {
    await ctx.runtime.wake(tenant.containerName);
    log.info({ status: now.status }, "woken while going to sleep; container woken again");
    return "woken";
  }
  log.info("tenant asleep");
  return "slept";
}

/** The wake job: unpauses or starts a waking tenant, waits until it answers, routes to it again, ready. */
export async function wakeTenant(ctx: WorkerContext, envId: number): Promise<"woke" | "skipped" | "recreate"> {
  const tenant = await getTenant(ctx.db, envId);
  if (tenant?.status !== "waking") return "skipped";
  const log = ctx.logger.child({ envId });
  const before = await ctx.runtime.inspect(tenant.containerName);
  if (!before) {
    // Gone while it slept: provisioned again (same port, same key), it comes back ready.
    const moved = await transitionTenant(ctx, {
      envId,
      from: ["waking"],
      to: "provisioning",
      reason: "woken, but its container is gone: re-creating it",
      actor: ctx.actor,
      patch: { containerId: null },
    });
    if (moved) await enqueueOrLeaveToReconciler(ctx, jobs.provision, { envId, reason: "recreate" });
    return "recreate";
  }
  await ctx.runtime.wake(tenant.containerName);
  // A paused container answers where it did; a started one is looked at again (Swarm may place it elsewhere).
  const container = before.state === "paused" && before.address ? before : ((await ctx.runtime.inspect(tenant.containerName)) ?? before);
  const address = container.address ?? tenant.address;
  if (!address) throw new Error("the woken container publishes no address");
  const healthPath = ctx.templates.get(tenant.language, tenant.framework)?.healthPath ?? "/health";
  await waitUntilAnswers(ctx, address, healthPath, ctx.config.TENANT_WAKE_TIMEOUT_MS);
  // Ready first, the direct route after: the held requests are answered the moment it is ready
  // (the waker proxies them itself), without waiting for the proxy to load a new configuration;
  // until it has, later requests take the waker's path too, which proxies them at once. A proxy
  // that cannot be reached now gets the route from the reconciler.
  const woke = await transitionTenant(ctx, {
    envId,
    from: ["waking"],
    to: "ready",
    reason: "woke: its health check passes",
    actor: ctx.actor,
    patch: { lastActiveAt: new Date(), sleepMemoryMb: null, lastError: null, consecutiveFailures: 0, address, idleConnCounter: null },
  });
  if (!woke) {
    log.info("tenant left waking meanwhile");
    return "skipped";
  }
  await ctx.ingress.upsertRoute(tenantRoute(ctx.config, { ...woke, port: woke.port! }, container)).catch((err: unknown) => {
    log.warn({ err }, "could not put the woken tenant's direct route back; the reconciler will (the waker serves it meanwhile)");
  });
  log.info("tenant woke");
  return "woke";
}

/** A wake that failed its last attempt: the tenant is stopped again (its container stopped), with the reason in its `error`. */
export async function giveUpWake(ctx: WorkerContext, envId: number, err: unknown): Promise<void> {
  const reason = `wake failed: ${scrubSecrets((err as Error)?.message ?? String(err))}`;
  const moved = await transitionTenant(ctx, { envId, from: ["waking"], to: "stopped", reason, actor: ctx.actor, patch: { lastError: reason } });
  if (moved) await enqueueOrLeaveToReconciler(ctx, jobs.sleep, { envId });
}

/** Polls the app (connection refused costs next to nothing) until its health check passes; throws past `timeoutMs`. */
async function waitUntilAnswers(ctx: WorkerContext, address: string, healthPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    // An unpaused app answers the first probe; a started one refuses connections (cheap) until it listens.
    const probe = await probeTenant(ctx.config, address, healthPath);
    if (probe.ok) return;
    last = probe.error;
    if ((await acceptsConnections(address, 1_000)) === "refused") await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`woken, but its health check did not pass within ${timeoutMs} ms (${last})`);
}

function routeUpstream(c: { ingressAddress?: string | null; address?: string | null }): string | null {
  return c.ingressAddress ?? c.address ?? null;
}
