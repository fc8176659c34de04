/**
 * provisionTenant: where a tenant becomes ready. Ensures the template image, creates (or adopts)
 * the container `convergence-tenant-<envId>`, starts it, waits until its /health answers 200 and
 * publishes its ingress route (so its `url` answers the moment it is `ready`).
 * Safe to run twice or after a crash halfway: every step looks at what is already there first,
 * and every status change is conditional on the state this job expects.
 */
import { eq } from "drizzle-orm";
import { UnrecoverableError } from "bullmq";
import type { WorkerContext } from "../context.js";
import type { Tx } from "../db/client.js";
import { decryptSecret } from "../crypto.js";
import { tenants, type Tenant } from "../db/schema.js";
import { ContainerNameTakenError, PortInUseError, labelKeys, type ContainerInfo, type ContainerSpec } from "../runtime/types.js";
import { liveStatuses, provisionStatuses } from "../tenant-state.js";
import type { Template } from "../templates.js";
import { describePlacement, placementOf } from "./placement.js";
import { leasePort, leasedPort } from "./ports.js";
import { probeTenant } from "./probe.js";
import { getTenant } from "./queries.js";
import { publishRoute } from "./routes.js";
import { tenantIdOf } from "./tenant-id.js";
import { transitionTenant } from "./transition.js";

export type ProvisionStep = "image" | "container" | "start" | "health";

/** Carries the step that failed, so the tenant's error says where it went wrong. */
export class ProvisionError extends Error {
  constructor(readonly step: ProvisionStep, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export async function provisionTenant(ctx: WorkerContext, envId: number): Promise<"ready" | "skipped"> {
  let tenant: Tenant | null = (await getTenant(ctx.db, envId)) ?? null;
  if (!tenant) throw new UnrecoverableError(`tenant ${envId} does not exist`);
  if (!provisionStatuses.includes(tenant.status)) {
    return "skipped"; // already ready, being destroyed, or final: a re-delivered job has nothing to do
  }
  const template = ctx.templates.get(tenant.language, tenant.framework);
  if (!template) {
    throw new UnrecoverableError(`template ${tenant.language}/${tenant.framework} is not installed on this worker`);
  }
  if (tenant.status === "pending") {
    tenant = await moveOrStop(ctx, tenant, ["pending"], "provisioning", "worker picked up the provision job");
    if (!tenant) return "skipped";
  }

  const image = await step("image", () => ctx.runtime.ensureImage(template, ctx.config.TENANT_BASE_IMAGE));
  const port = await ensurePortLease(ctx, tenant);
  if (port === null) {
    await stopBecauseMoved(ctx, tenant);
    return "skipped";
  }
  tenant = { ...tenant, port };
  const container = await step("container", () => ensureContainer(ctx, tenant!, template, image, port));

  if (tenant.status === "provisioning") {
    tenant = await moveOrStop(ctx, tenant, ["provisioning"], "starting", "container created", { containerId: container.id, image, port });
    if (!tenant) return "skipped";
  }

  const started = await step("start", () => startWithFreePort(ctx, tenant!, template, image));
  if (!started) {
    await stopBecauseMoved(ctx, tenant);
    return "skipped";
  }
  // The route goes to the address that just answered, while the CPU quota is applied.
  const answered = await step("health", () =>
    withCpuLimitOnceStarted(
      ctx,
      started,
      () => waitHealthy(ctx, started, template),
      (healthy) => (healthy === "moved" ? Promise.resolve() : publishRoute(ctx, started, healthy)),
    ),
  );
  if (answered === "moved") {
    await stopBecauseMoved(ctx, started);
    return "skipped";
  }
  const health = placementOf(answered);

  const ready = await moveOrStop(ctx, started, ["starting"], "ready", `health check passed at ${describePlacement(health)}`, {
    ...health,
    readyAt: new Date(),
    lastError: null,
    lastCheckAt: new Date(),
    consecutiveFailures: 0,
  });
  if (!ready) return "skipped";
  ctx.logger.info({ envId, port: ready.port }, "tenant ready");
  return "ready";
}

async function step<T>(name: ProvisionStep, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProvisionError || err instanceof UnrecoverableError) throw err;
    throw new ProvisionError(name, (err as Error)?.message ?? String(err), { cause: err });
  }
}

/**
 * Moves the tenant, or, when someone else moved it first (a destroy request), stops this job and
 * removes whatever it may have created, so a destroyed tenant never keeps a container.
 */
async function moveOrStop(
  ctx: WorkerContext,
  tenant: Tenant,
  from: Tenant["status"][],
  to: Tenant["status"],
  reason: string,
  patch?: Partial<Tenant>,
): Promise<Tenant | null> {
  const moved = await transitionTenant(ctx, { envId: tenant.envId, from, to, reason, actor: ctx.actor, patch });
  if (moved) return moved;
  await stopBecauseMoved(ctx, tenant);
  return null;
}

/** Someone else moved the tenant; remove what this job created (its route too) if the tenant is no longer live. */
async function stopBecauseMoved(ctx: WorkerContext, tenant: Tenant): Promise<void> {
  const now = await getTenant(ctx.db, tenant.envId);
  if (now && !liveStatuses.includes(now.status)) {
    // This job may have published the route after the destroy withdrew it (if the proxy cannot be
    // reached now, the reconciler removes the route of a tenant that is not live).
    await ctx.ingress.removeRoute(tenant.envId).catch((err: unknown) => ctx.logger.warn({ err, envId: tenant.envId }, "could not withdraw the route"));
    await ctx.runtime.remove(tenant.containerName);
  }
  ctx.logger.info({ envId: tenant.envId, status: now?.status }, "tenant moved by someone else; provision job stops");
}

/** The tenant's leased port; a new lease when it has none (it was released by an earlier failure). */
async function ensurePortLease(ctx: WorkerContext, tenant: Tenant): Promise<number | null> {
  return leaseWhileProvisioning(ctx, tenant.envId, async (tx) => (await leasedPort(tx, tenant.envId)) ?? leasePort(tx, ctx.config, tenant.envId));
}

/**
 * Runs `lease` only while the tenant is still being provisioned, its row locked (as every
 * transition locks it); null once it is not. A destroy that finished while this job was busy
 * (building the image, say) has released the tenant's port already: a lease taken now would
 * belong to a destroyed tenant and never be freed.
 */
async function leaseWhileProvisioning(ctx: WorkerContext, envId: number, lease: (tx: Tx) => Promise<number>): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select({ status: tenants.status }).from(tenants).where(eq(tenants.envId, envId)).for("update");
    return row && provisionStatuses.includes(row.status) ? lease(tx) : null;
  });
}

function containerSpec(ctx: WorkerContext, tenant: Tenant, template: Template, image: string, port: number): ContainerSpec {
  return {
    name: tenant.containerName,
    image,
    // Exactly the contract's variables (DESIGN.md §2).
    env: {
      CONVERGENCE_API_URL: ctx.config.PUBLIC_API_URL,
      CONVERGENCE_API_KEY: decryptSecret(tenant.apiKeyEnc, ctx.config.ENCRYPTION_KEY),
      CONVERGENCE_ORG_ID: String(tenant.orgId),
      CONVERGENCE_ENV_ID: String(tenant.envId),
      TENANT_ID: tenantIdOf(tenant.envId),
      TENANT_NAME: tenant.name,
    },
    labels: {
      [labelKeys.owner]: ctx.config.CONVERGENCE_INSTANCE,
      [labelKeys.envId]: String(tenant.envId),
      [labelKeys.orgId]: String(tenant.orgId),
      [labelKeys.template]: template.id,
      "io.convergence.key-prefix": tenant.apiKeyPrefix,
    },
    containerPort: template.containerPort,
    hostPort: port,
    bindHost: ctx.config.TENANT_BIND_HOST,
    memoryMb: ctx.config.TENANT_MEMORY_MB,
    cpus: ctx.config.TENANT_CPUS,
    pidsLimit: ctx.config.TENANT_PIDS_LIMIT,
    deferCpuLimit: ctx.runtime.enforceCpuLimit !== undefined, // see withCpuLimitOnceStarted
  };
}

/**
 * Creates the container; when a previous attempt left one behind, adopts it if it matches and
 * replaces it otherwise. Creating first spares the common case (no container yet) an inspect.
 */
async function ensureContainer(ctx: WorkerContext, tenant: Tenant, template: Template, image: string, port: number): Promise<ContainerInfo> {
  const spec = containerSpec(ctx, tenant, template, image, port);
  try {
    return await ctx.runtime.create(spec);
  } catch (err) {
    if (!(err instanceof ContainerNameTakenError)) throw err;
  }
  const existing = await ctx.runtime.inspect(spec.name);
  if (existing) {
    if (existing.labels[labelKeys.owner] !== spec.labels[labelKeys.owner] || existing.labels[labelKeys.envId] !== String(tenant.envId)) {
      throw new UnrecoverableError(`container name ${spec.name} is taken by a container this platform does not own`);
    }
    const matches =
      existing.hostPort === port &&
      existing.image === image &&
      existing.labels["io.convergence.key-prefix"] === tenant.apiKeyPrefix;
    if (matches) {
      ctx.logger.info({ envId: tenant.envId }, "adopting the container a previous attempt created");
      return existing;
    }
    await ctx.runtime.remove(spec.name);
  }
  return ctx.runtime.create(spec);
}

/**
 * Starts the container. A host port taken by something outside the platform is skipped: lease
 * the next one, re-create the container on it and try again. Returns the tenant as it now is, or
 * null when it left provisioning meanwhile.
 */
async function startWithFreePort(ctx: WorkerContext, tenant: Tenant, template: Template, image: string): Promise<Tenant | null> {
  const avoid: number[] = [];
  let current = tenant;
  for (let tries = 0; tries < 5; tries++) {
    try {
      await ctx.runtime.start(current.containerName);
      return current;
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      avoid.push(current.port!);
      ctx.logger.warn({ envId: current.envId, port: current.port }, "host port in use outside the platform; moving to another");
      const port = await leaseWhileProvisioning(ctx, current.envId, (tx) => leasePort(tx, ctx.config, current.envId, avoid));
      if (port === null) return null;
      await ctx.runtime.remove(current.containerName);
      const container = await ctx.runtime.create(containerSpec(ctx, current, template, image, port));
      await ctx.db.update(tenants).set({ containerId: container.id }).where(eq(tenants.envId, current.envId));
      current = { ...current, port, containerId: container.id };
    }
  }
  throw new Error(`no usable host port after ${avoid.length} tries (in use: ${avoid.join(", ")})`);
}

/** The longest a container runs without its CPU quota, when its app is slow to answer. */
const UNTHROTTLED_START_MAX_MS = 3_000;

/**
 * Node.js starts about twice as fast without the CPU quota (bench:spawn), so a runtime that can
 * apply the quota later creates the container without it (containerSpec) and the quota is applied
 * while `waitForHealth` runs: as soon as it ends (healthy, moved, failed or timed out) or after
 * UNTHROTTLED_START_MAX_MS, whichever is first. The container is never reported ready before it has
 * exactly the configured limits. If the worker dies meanwhile, the job's retry adopts the
 * container and applies the quota the same way.
 */
async function withCpuLimitOnceStarted<T>(
  ctx: WorkerContext,
  tenant: Tenant,
  waitForHealth: () => Promise<T>,
  /** What follows the wait and needs no quota first (publishing the route): done while it is applied. */
  meanwhile: (result: T) => Promise<unknown>,
): Promise<T> {
  const runtime = ctx.runtime;
  if (!runtime.enforceCpuLimit) {
    const result = await waitForHealth();
    await meanwhile(result);
    return result;
  }
  let applied: Promise<void> | undefined;
  const apply = () => (applied ??= runtime.enforceCpuLimit!(tenant.containerName, ctx.config.TENANT_CPUS));
  const early = setTimeout(() => apply().catch(() => {}), UNTHROTTLED_START_MAX_MS); // a failure is seen below
  let result: T;
  try {
    result = await waitForHealth();
  } catch (err) {
    clearTimeout(early);
    await apply();
    throw err;
  }
  clearTimeout(early);
  await Promise.all([apply(), meanwhile(result)]);
  return result;
}

/** How often the app's health is polled while it starts: a refused local connection costs ~nothing. */
const READY_POLL_MS = 10;
/** How often that wait also looks at the tenant's row and the container. */
const READY_CHECK_MS = 1_000;

/**
 * Polls the app where the runtime says it answers until it answers 200; resolves the container as
 * it was when it answered (its placement, the address the route goes to), or "moved" when someone
 * else (a destroy, a deadline) moved the tenant meanwhile. Every
 * READY_CHECK_MS the tenant's row and the container are looked at again (at once while the
 * container is placed nowhere): a Swarm task may be placed only now, or rescheduled to another
 * node while it starts.
 */
async function waitHealthy(ctx: WorkerContext, tenant: Tenant, template: Template): Promise<ContainerInfo | "moved"> {
  const deadline = Date.now() + ctx.config.TENANT_READY_TIMEOUT_MS;
  let last = "no answer yet";
  let info = await ctx.runtime.inspect(tenant.containerName);
  let nextCheck = Date.now() + READY_CHECK_MS;
  while (Date.now() < deadline) {
    if (!info) throw new Error("container disappeared while waiting for it to become healthy");
    if (info.address) {
      const probe = await probeTenant(ctx.config, info.address, template.healthPath);
      if (probe.ok) return info;
      last = probe.error;
    } else {
      last = `container is ${info.state} and placed nowhere yet`;
    }
    if (info.state === "exited" || info.state === "dead") last = `container ${info.state}`;
    const check = Date.now() >= nextCheck;
    if (check) {
      nextCheck = Date.now() + READY_CHECK_MS;
      if ((await getTenant(ctx.db, tenant.envId))?.status !== "starting") return "moved";
    }
    await new Promise((r) => setTimeout(r, info?.address ? READY_POLL_MS : 250));
    if (check || !info.address) info = await ctx.runtime.inspect(tenant.containerName);
  }
  throw new Error(`the app did not answer 200 on ${template.healthPath} within ${ctx.config.TENANT_READY_TIMEOUT_MS / 1000}s (last: ${last})`);
}
