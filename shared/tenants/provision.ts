/**
 * provisionTenant: where a tenant becomes ready. Ensures the template image, creates (or adopts)
 * the container `convergence-tenant-<envId>`, starts it and waits until its /health answers 200.
 * Safe to run twice or after a crash halfway: every step looks at what is already there first,
 * and every status change is conditional on the state this job expects.
 */
import { eq } from "drizzle-orm";
import { UnrecoverableError } from "bullmq";
import type { WorkerContext } from "../context.js";
import { decryptSecret } from "../crypto.js";
import { tenants, type Tenant } from "../db/schema.js";
import { PortInUseError, labelKeys, type ContainerSpec } from "../runtime/types.js";
import type { Template } from "../templates.js";
import { failTenantAndCleanUp } from "./fail.js";
import { allocatePort, leasedPort, releasePort } from "./ports.js";
import { getTenant } from "./queries.js";
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
  if (tenant.status !== "pending" && tenant.status !== "provisioning" && tenant.status !== "starting") {
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
  await step("container", () => ensureContainer(ctx, tenant!, template, image, port));

  if (tenant.status === "provisioning") {
    const info = await ctx.runtime.inspect(tenant.containerName);
    tenant = await moveOrStop(ctx, tenant, ["provisioning"], "starting", "container created", {
      containerId: info?.id ?? null,
      image,
      port,
    });
    if (!tenant) return "skipped";
  }

  await step("start", () => startWithFreePort(ctx, tenant!, template, image));
  const current = (await getTenant(ctx.db, envId))!;
  const health = await step("health", () => waitHealthy(ctx, current, template));
  if (health === "moved") {
    await stopBecauseMoved(ctx, current);
    return "skipped";
  }

  const ready = await moveOrStop(ctx, current, ["starting"], "ready", "health check passed", {
    readyAt: new Date(),
    lastError: null,
    lastCheckAt: new Date(),
    consecutiveFailures: 0,
  });
  if (!ready) return "skipped";
  ctx.logger.info({ tenantId: envId, port: ready.port }, "tenant ready");
  return "ready";
}

/**
 * Marks a tenant failed after its last attempt: the container is removed so nothing keeps
 * running, the port goes back to the pool, and `error` says which step failed and why.
 */
export async function failTenant(ctx: WorkerContext, envId: number, err: unknown): Promise<void> {
  const step = err instanceof ProvisionError ? err.step : undefined;
  const message = `${step ? `provisioning failed at step "${step}": ` : "provisioning failed: "}${(err as Error)?.message ?? String(err)}`;
  const tenant = await getTenant(ctx.db, envId);
  if (!tenant || !["pending", "provisioning", "starting"].includes(tenant.status)) return;
  await failTenantAndCleanUp(ctx, tenant, ["pending", "provisioning", "starting"], message, { withLogs: step === "health" });
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
  const moved = await transitionTenant(ctx.db, { envId: tenant.envId, from, to, reason, actor: ctx.actor, patch });
  if (moved) return moved;
  await stopBecauseMoved(ctx, tenant);
  return null;
}

/** Someone else moved the tenant; remove what this job created if the tenant is going away. */
async function stopBecauseMoved(ctx: WorkerContext, tenant: Tenant): Promise<void> {
  const now = await getTenant(ctx.db, tenant.envId);
  if (now && (now.status === "destroying" || now.status === "destroyed" || now.status === "failed")) {
    await ctx.runtime.remove(tenant.containerName);
  }
  ctx.logger.info({ tenantId: tenant.envId, status: now?.status }, "tenant moved by someone else; provision job stops");
}

async function ensurePortLease(ctx: WorkerContext, tenant: Tenant): Promise<number> {
  const leased = await leasedPort(ctx.db, tenant.envId);
  if (leased !== null) return leased;
  // The lease was released (an earlier failure): take a port again, preferring the old one.
  return ctx.db.transaction(async (tx) => {
    const port = await allocatePort(tx, tenant.envId, { min: ctx.config.TENANT_PORT_MIN, max: ctx.config.TENANT_PORT_MAX });
    await tx.update(tenants).set({ port }).where(eq(tenants.envId, tenant.envId));
    return port;
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
      TENANT_ID: `tenant_${tenant.envId}`,
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
  };
}

/** Adopts a container a previous attempt left behind when it matches; replaces it otherwise. */
async function ensureContainer(ctx: WorkerContext, tenant: Tenant, template: Template, image: string, port: number) {
  const spec = containerSpec(ctx, tenant, template, image, port);
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
      ctx.logger.info({ tenantId: tenant.envId }, "adopting the container a previous attempt created");
      return;
    }
    await ctx.runtime.remove(spec.name);
  }
  await ctx.runtime.create(spec);
}

/** A host port taken by something outside the platform is skipped: take the next one and retry. */
async function startWithFreePort(ctx: WorkerContext, tenant: Tenant, template: Template, image: string) {
  const avoid: number[] = [];
  let port = tenant.port!;
  for (let tries = 0; tries < 5; tries++) {
    try {
      await ctx.runtime.start(tenant.containerName);
      return;
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      avoid.push(port);
      ctx.logger.warn({ tenantId: tenant.envId, port }, "host port in use outside the platform; moving to another");
      port = await ctx.db.transaction(async (tx) => {
        await releasePort(tx, tenant.envId);
        const next = await allocatePort(tx, tenant.envId, { min: ctx.config.TENANT_PORT_MIN, max: ctx.config.TENANT_PORT_MAX }, avoid);
        await tx.update(tenants).set({ port: next }).where(eq(tenants.envId, tenant.envId));
        return next;
      });
      await ctx.runtime.remove(tenant.containerName);
      await ctx.runtime.create(containerSpec(ctx, { ...tenant, port }, template, image, port));
    }
  }
  throw new Error(`no usable host port after ${avoid.length} tries (in use: ${avoid.join(", ")})`);
}

/** Resolves "healthy", or "moved" when someone else (a destroy, a deadline) moved the tenant meanwhile. */
async function waitHealthy(ctx: WorkerContext, tenant: Tenant, template: Template): Promise<"healthy" | "moved"> {
  const url = `http://${ctx.config.TENANT_PROBE_HOST}:${tenant.port}${template.healthPath}`;
  const deadline = Date.now() + ctx.config.TENANT_READY_TIMEOUT_MS;
  let last = "no answer yet";
  for (let i = 0; Date.now() < deadline; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return "healthy";
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    }
    if (i % 20 === 19) {
      if ((await getTenant(ctx.db, tenant.envId))?.status !== "starting") return "moved";
      const info = await ctx.runtime.inspect(tenant.containerName);
      if (!info) throw new Error("container disappeared while waiting for it to become healthy");
      if (info.state === "exited" || info.state === "dead") last = `container ${info.state}`;
    }
    await new Promise((r) => setTimeout(r, 50)); // a refused local connection costs ~nothing; poll tightly
  }
  throw new Error(`GET ${template.healthPath} did not answer 200 within ${ctx.config.TENANT_READY_TIMEOUT_MS / 1000}s (last: ${last})`);
}
