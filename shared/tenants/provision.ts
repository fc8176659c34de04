/**
 * provisionTenant: where a tenant becomes ready. Ensures the template image, creates (or adopts)
 * the container `convergence-tenant-<envId>`, starts it, publishes its ingress route and waits
 * until its /health answers 200 (so its `url` answers the moment it is `ready`).
 * Safe to run twice or after a crash halfway: every step looks at what is already there first,
 * and every status change is conditional on the state this job expects. Docker work runs while
 * the status change before it is written: spawn → ready is the product's latency (bench:spawn).
 */
import { eq } from "drizzle-orm";
import { UnrecoverableError } from "bullmq";
import type { WorkerContext } from "../context.js";
import type { Tx } from "../db/client.js";
import { decryptSecret } from "../crypto.js";
import { tenants, type Tenant } from "../db/schema.js";
import { ContainerNameTakenError, PortInUseError, labelKeys, type ContainerInfo, type ContainerSpec } from "../runtime/types.js";
import { liveStatuses, provisionStatuses } from "../tenant-state.js";
import { baseImageOf, type Template } from "../templates.js";
import { describePlacement, placementOf } from "./placement.js";
import { leasePort, leasedPort } from "./ports.js";
import { acceptsConnections, probeTenant } from "./probe.js";
import { decideExistingContainer, decideProvisionStart, keyPrefixLabel } from "./provision-decision.js";
import { getTenant } from "./queries.js";
import { tenantRoute } from "../ingress/hostname.js";
import { publishRoute } from "./routes.js";
import { tenantIdOf } from "./tenant-id.js";
import { transitionTenant, type Transition } from "./transition.js";
import { keepNetworksWarm } from "./warm-networks.js";
import { appEnvOf } from "../deploys/deployments.js";
import { markTemplateRevisionLive } from "../deploys/revision-one.js";

export type ProvisionStep = "image" | "container" | "start" | "health";

/** Carries the step that failed, so the tenant's error says where it went wrong. */
export class ProvisionError extends Error {
  constructor(
    readonly step: ProvisionStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function provisionTenant(ctx: WorkerContext, envId: number): Promise<"ready" | "skipped"> {
  const began = performance.now();
  const [found, leased] = await Promise.all([getTenant(ctx.db, envId), leasedPort(ctx.db, envId)]);
  let tenant: Tenant | null = found ?? null;
  if (!tenant) throw new UnrecoverableError(`tenant ${envId} does not exist`);
  const template = ctx.templates.get(tenant.language, tenant.framework);
  const plan = decideProvisionStart({ status: tenant.status, templateInstalled: template !== undefined, leasedPort: leased });
  if (plan.kind === "skip") return "skipped";
  if (plan.kind === "no-template" || !template) {
    throw new UnrecoverableError(`template ${tenant.language}/${tenant.framework} is not installed on this worker`);
  }
  // A tenant that deployed its own code runs its live revision's image, not the template's.
  const image = await step("image", () => (tenant!.liveRevision > 1 && tenant!.image ? Promise.resolve(tenant!.image) : ctx.runtime.ensureImage(template, baseImageOf(ctx.config, template))));

  // The container is created while the tenant moves to `provisioning`: a destroy that wins the
  // race makes the move fail, and whatever was created is removed (stopBecauseMoved). A tenant
  // without a port (released by an earlier failure) leases one first, under its row lock.
  let port: number;
  if (plan.lease === "keep") port = plan.port;
  else {
    if (plan.lease === "pick-then-lease") {
      tenant = await moveOrStop(ctx, tenant, picking);
      if (!tenant) return "skipped";
    }
    const lease = await ensurePortLease(ctx, tenant);
    if (lease === null) {
      await stopBecauseMoved(ctx, tenant);
      return "skipped";
    }
    port = lease;
  }
  tenant = { ...tenant, port };
  const [picked, created] = await Promise.allSettled([
    tenant.status === "pending" ? transitionTenant(ctx, transitionOf(ctx, tenant, picking)) : tenant,
    step("container", () => ensureContainer(ctx, tenant!, template, image, port)),
  ]);
  tenant = await settledMove(ctx, tenant, picked);
  if (!tenant) return "skipped";
  if (created.status === "rejected") throw created.reason;
  const container = created.value;
  const createdAt = performance.now();

  // Started while the tenant moves to `starting`, the same way.
  const firstStart = ctx.runtime.start(tenant.containerName);
  const [moved] = await Promise.allSettled([
    tenant.status === "provisioning"
      ? transitionTenant(ctx, transitionOf(ctx, tenant, { from: ["provisioning"], to: "starting", reason: "container created", patch: { containerId: container.id, image, port } }))
      : tenant,
    firstStart,
  ]);
  tenant = await settledMove(ctx, tenant, moved);
  if (!tenant) return "skipped";
  const started = await step("start", () => startWithFreePort(ctx, tenant!, template, image, firstStart));
  if (!started) {
    await stopBecauseMoved(ctx, tenant);
    return "skipped";
  }
  const startedAt = performance.now();

  // The CPU quota is applied once the app listens; the ingress route is published while it starts
  // (to where the container is placed), and again if the address that answers is another one.
  const quota = cpuLimitOnceStarted(ctx, started);
  const route = routeWhileStarting(ctx, started);
  let answered: ContainerInfo | "moved";
  try {
    answered = await step("health", () => waitHealthy(ctx, started, template, { placed: route.placed, listening: () => void quota.apply().catch(() => {}) }));
  } catch (err) {
    await quota.apply();
    throw err;
  }
  if (answered === "moved") {
    await quota.apply().catch(() => {}); // the container is removed next, if the tenant is gone
    await stopBecauseMoved(ctx, started);
    return "skipped";
  }
  const healthyAt = performance.now();
  const health = placementOf(answered);

  // Seen `ready` only with its route in place (published while the app started, as a rule) and its
  // CPU quota applied: the transaction runs while the quota is applied and commits after it.
  await route.answeredAt(answered);
  const limited = step("health", () => quota.apply());
  limited.catch(() => {}); // thrown below, by the transition that waits for it
  const ready = await moveOrStop(ctx, started, {
    from: ["starting"],
    to: "ready",
    reason: `health check passed at ${describePlacement(health)}`,
    patch: { ...health, readyAt: new Date(), lastError: null, lastCheckAt: new Date(), consecutiveFailures: 0 },
    commitAfter: limited,
  });
  if (!ready) return "skipped";
  await markTemplateRevisionLive(ctx, envId, image);
  // The port's warm network (if it had one) is the tenant's now: set up the next one, in the background.
  void keepNetworksWarm(ctx).catch((err: unknown) => ctx.logger.warn({ err }, "could not keep networks warm"));
  const ms = (from: number, until: number) => Math.round(until - from);
  ctx.logger.info(
    { envId, port: ready.port, ms: { create: ms(began, createdAt), start: ms(createdAt, startedAt), health: ms(startedAt, healthyAt), ready: ms(healthyAt, performance.now()) } },
    "tenant ready",
  );
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

/** A move of the tenant this job makes (transitionTenant's, less what the job itself fills in). */
type Move = Omit<Transition, "envId" | "actor">;

const picking: Move = { from: ["pending"], to: "provisioning", reason: "worker picked up the provision job" };

const transitionOf = (ctx: WorkerContext, tenant: Tenant, move: Move): Transition => ({ envId: tenant.envId, actor: ctx.actor, ...move });

/**
 * Moves the tenant, or, when someone else moved it first (a destroy request), stops this job and
 * removes whatever it may have created, so a destroyed tenant never keeps a container.
 */
async function moveOrStop(ctx: WorkerContext, tenant: Tenant, move: Move): Promise<Tenant | null> {
  const moved = await transitionTenant(ctx, transitionOf(ctx, tenant, move));
  if (moved) return moved;
  await stopBecauseMoved(ctx, tenant);
  return null;
}

/** A move that ran alongside Docker work, once both settled: its error is thrown; a lost race stops the job (as moveOrStop). */
async function settledMove(ctx: WorkerContext, tenant: Tenant, move: PromiseSettledResult<Tenant | null>): Promise<Tenant | null> {
  if (move.status === "rejected") throw move.reason;
  if (move.value) return move.value;
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

export function containerSpec(ctx: WorkerContext, tenant: Tenant, template: Pick<Template, "id" | "containerPort">, image: string, port: number): ContainerSpec {
  return {
    name: tenant.containerName,
    image,
    // Exactly the contract's variables (the design brief, §2).
    env: {
      // The app's own variables first: the platform's below always win.
      ...appEnvOf(tenant, ctx.config.ENCRYPTION_KEY),
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
      [keyPrefixLabel]: tenant.apiKeyPrefix,
    },
    containerPort: template.containerPort,
    hostPort: port,
    bindHost: ctx.config.TENANT_BIND_HOST,
    memoryMb: ctx.config.TENANT_MEMORY_MB,
    cpus: ctx.config.TENANT_CPUS,
    pidsLimit: ctx.config.TENANT_PIDS_LIMIT,
    deferCpuLimit: ctx.runtime.enforceCpuLimit !== undefined, // see cpuLimitOnceStarted
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
    const found = decideExistingContainer(existing, { owner: ctx.config.CONVERGENCE_INSTANCE, envId: tenant.envId, port, image, keyPrefix: tenant.apiKeyPrefix });
    if (found === "foreign") throw new UnrecoverableError(`container name ${spec.name} is taken by a container this platform does not own`);
    if (found === "adopt") {
      ctx.logger.info({ envId: tenant.envId }, "adopting the container a previous attempt created");
      return existing;
    }
    await ctx.runtime.remove(spec.name);
  }
  return ctx.runtime.create(spec);
}

/**
 * Waits for the container's first start (already under way). A host port taken by something
 * outside the platform is skipped: lease the next one, re-create the container on it and start
 * again. Returns the tenant as it now is, or null when it left provisioning meanwhile.
 */
async function startWithFreePort(ctx: WorkerContext, tenant: Tenant, template: Template, image: string, firstStart: Promise<void>): Promise<Tenant | null> {
  const avoid: number[] = [];
  let current = tenant;
  let starting = firstStart;
  for (let tries = 0; tries < 5; tries++) {
    try {
      await starting;
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
      starting = ctx.runtime.start(current.containerName);
    }
  }
  throw new Error(`no usable host port after ${avoid.length} tries (in use: ${avoid.join(", ")})`);
}

/**
 * Node.js starts about twice as fast without the CPU quota (bench:spawn), so a runtime that can
 * apply the quota later creates the container without it (containerSpec), and `apply` applies it:
 * once the app listens on its port (its start-up is over; the quota's `docker update` then runs
 * while the app is probed), once it answers or the wait ends otherwise, or after
 * TENANT_UNTHROTTLED_START_MAX_MS, whichever is first. The tenant is never seen ready before it
 * has exactly the configured limits (its ready transition commits after `apply`). If the worker dies meanwhile, the job's retry adopts the
 * container and applies the quota the same way.
 */
function cpuLimitOnceStarted(ctx: WorkerContext, tenant: Tenant): { apply(): Promise<void> } {
  const runtime = ctx.runtime;
  if (!runtime.enforceCpuLimit) return { apply: () => Promise.resolve() };
  let applied: Promise<void> | undefined;
  const apply = () => {
    clearTimeout(early);
    return (applied ??= runtime.enforceCpuLimit!(tenant.containerName, ctx.config.TENANT_CPUS));
  };
  const early = setTimeout(() => apply().catch(() => {}), ctx.config.TENANT_UNTHROTTLED_START_MAX_MS); // a failure is seen by the next apply()
  return { apply };
}

/**
 * The tenant's ingress route, published while its app starts, so that it is in place when the app
 * answers: as soon as the container is placed (its address known), and again when the address
 * that answers is another one (a Swarm task placed anew). Until the app answers, its hostname
 * answers 502, as it would for a ready tenant that stopped answering. Publications run one after
 * another; `answeredAt` resolves once the route to the answering address is in place, or could not
 * be (publishRoute logs it; the reconciler adds it). A tenant that fails or is destroyed has its
 * route withdrawn (failTenantAndCleanUp, stopBecauseMoved).
 */
function routeWhileStarting(ctx: WorkerContext, tenant: Tenant) {
  let upstream: string | null = null;
  let last: Promise<unknown> = Promise.resolve();
  const publish = (info: ContainerInfo) => {
    const target = tenantRoute(ctx.config, { ...tenant, port: tenant.port! }, info).upstream;
    if (target !== upstream) {
      upstream = target;
      last = last.then(() => publishRoute(ctx, tenant, info));
    }
    return last;
  };
  return { placed: (info: ContainerInfo) => void publish(info), answeredAt: publish };
}

/** How often the app's health is polled while it starts: a refused local connection costs ~nothing. */
const READY_POLL_MS = 5;
/** How long a look at whether the app listens on its container's address may take before that address counts as unreachable. */
const LISTEN_CHECK_TIMEOUT_MS = 250;
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
async function waitHealthy(
  ctx: WorkerContext,
  tenant: Tenant,
  template: Template,
  on: {
    /** Told of the container on every round it is placed (has an address); routeWhileStarting acts on a new address only. */
    placed: (info: ContainerInfo) => void;
    /** Told once something listens on the app's port, seen on the container's own address (not told when that address cannot be watched). */
    listening: () => void;
  },
): Promise<ContainerInfo | "moved"> {
  const deadline = Date.now() + ctx.config.TENANT_READY_TIMEOUT_MS;
  // A deployed revision is checked where its deploy said (docs/deploys.md).
  const healthPath = tenant.liveRevision > 1 ? tenant.healthPath : template.healthPath;
  let last = "no answer yet";
  let info = await ctx.runtime.inspect(tenant.containerName);
  let direct = true;
  let nextCheck = Date.now() + READY_CHECK_MS;
  while (Date.now() < deadline) {
    if (!info) throw new Error("container disappeared while waiting for it to become healthy");
    if (info.address) {
      on.placed(info);
      // Until the app listens on its own address, its port is watched there; then it is probed.
      const listening = direct && info.ingressAddress ? await acceptsConnections(info.ingressAddress, LISTEN_CHECK_TIMEOUT_MS) : "yes";
      if (direct && listening === "yes" && info.ingressAddress) on.listening();
      if (listening !== "refused") direct = false; // listening (or not reachable from here): probe from now on
      if (listening === "refused") {
        last = `nothing listens at ${info.ingressAddress} yet`;
      } else {
        const probe = await probeTenant(ctx.config, info.address, healthPath);
        if (probe.ok) return info;
        last = probe.error;
      }
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
  throw new Error(`the app did not answer 200 on ${healthPath} within ${ctx.config.TENANT_READY_TIMEOUT_MS / 1000}s (last: ${last})`);
}
