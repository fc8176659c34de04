/**
 * runDeployment: where a revision goes live (docs/deploys.md). Builds an upload (./build.ts), then
 * switches without downtime:
 *   1. the revision's container starts BESIDE the live one (`<name>-r<rev>`, no host port, an
 *      address of its own) and must pass its health check three times in a row;
 *   2. the ingress route moves to it; the old container drains (DEPLOY_DRAIN_MS, then SIGTERM with
 *      a grace period) and is removed;
 *   3. the tenant's own container (`convergence-tenant-<envId>`, its host port, its fixed address)
 *      is created again from the new image, checked the same way, and the route moves back to it;
 *      the side container drains and goes.
 * So HTTPS through the ingress never fails, `docker logs convergence-tenant-<envId>` shows the live
 * revision, and the host port is refused only between 2's removal and 3's listen. A failure before
 * the route moved leaves the live revision untouched; the deployment is `failed` with the reason and
 * its log. Health sweeps and the reconciler leave a tenant alone while its switch runs.
 */
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { UnrecoverableError } from "bullmq";
import type { WorkerContext } from "../context.js";
import { deploymentArchives, deployments, tenants, type Deployment, type Tenant } from "../db/schema.js";
import { tenantRoute } from "../ingress/hostname.js";
import { labelKeys } from "../runtime/types.js";
import { runningStatuses } from "../tenant-state.js";
import { containerSpec } from "../tenants/provision.js";
import { probeTenant } from "../tenants/probe.js";
import { getTenant } from "../tenants/queries.js";
import { publishRoute } from "../tenants/routes.js";
import { TENANT_STATUS_CHANNEL } from "../tenants/status-feed.js";
import { recordDeploymentEvent } from "../webhooks/event-catalog.js";
import { buildAppImage, deployImageTag } from "./build.js";

const HEALTHY_IN_A_ROW = 3;
const PROBE_EVERY_MS = 200;
const STOP_GRACE_S = 10;

/** A deployment's log, kept to its last DEPLOY_LOG_MAX_BYTES and written to its row every second while it runs. */
class DeployLog {
  private text = "";
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly ctx: WorkerContext,
    private readonly id: number,
    initial: string,
  ) {
    this.text = initial;
    this.timer = setInterval(() => void this.flush().catch(() => {}), 1_000);
  }
  add(text: string): void {
    this.text += text;
    const max = this.ctx.config.DEPLOY_LOG_MAX_BYTES;
    if (this.text.length > max) this.text = `…${this.text.slice(-max)}`;
    this.dirty = true;
  }
  line(text: string): void {
    this.add(`[${new Date().toISOString()}] ${text}\n`);
  }
  get value(): string {
    return this.text;
  }
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await this.ctx.db.update(deployments).set({ log: this.text, updatedAt: new Date() }).where(eq(deployments.id, this.id));
  }
  close(): void {
    clearInterval(this.timer);
  }
}

class DeployFailure extends Error {}

export async function runDeployment(ctx: WorkerContext, envId: number, revision: number): Promise<"live" | "failed" | "skipped"> {
  const [d] = await ctx.db
    .select()
    .from(deployments)
    .where(and(eq(deployments.envId, envId), eq(deployments.revision, revision)));
  if (!d) throw new UnrecoverableError(`deployment ${envId}/r${revision} does not exist`);
  if (!["queued", "building", "starting"].includes(d.status)) return "skipped";
  const log = new DeployLog(ctx, d.id, d.log);
  try {
    return await deploy(ctx, d, log);
  } finally {
    log.close();
  }
}

async function deploy(ctx: WorkerContext, d: Deployment, log: DeployLog): Promise<"live" | "failed"> {
  const { envId, revision } = d;
  const template = () => {
    const t = ctx.templates.get(tenant.language, tenant.framework);
    if (!t) throw new DeployFailure(`template ${tenant.language}/${tenant.framework} is not installed on this worker`);
    return t;
  };
  let tenant = (await getTenant(ctx.db, envId))!;
  let routeMoved = false;
  try {
    if (!runningStatuses.includes(tenant.status) || tenant.port === null) throw new DeployFailure(`tenant is ${tenant.status}`);
    const revisions = ctx.runtime.revisions;
    if (!revisions) throw new DeployFailure("this container runtime cannot switch revisions yet (CONVERGENCE_RUNTIME=docker can)");
    let image = d.image;
    if (d.source === "upload") {
      await setStatus(ctx, d, "building");
      log.line(`building revision ${revision}`);
      const [row] = await ctx.db.select().from(deploymentArchives).where(eq(deploymentArchives.deploymentId, d.id));
      if (!row) throw new DeployFailure("the uploaded archive is gone");
      try {
        image = await buildAppImage(ctx, { envId, revision, archive: row.archive, containerPort: template().containerPort, onLog: (t) => log.add(t) });
      } catch (err) {
        throw new DeployFailure(`build failed: ${(err as Error).message}`);
      }
      await ctx.db.update(deployments).set({ image, updatedAt: new Date() }).where(eq(deployments.id, d.id));
      await ctx.db.delete(deploymentArchives).where(eq(deploymentArchives.deploymentId, d.id));
      log.line(`built ${image}`);
    }
    if (!image) throw new DeployFailure("the revision has no image");
    if (!(await revisions.imageExists(image))) throw new DeployFailure(`image ${image} is gone`);
    await setStatus(ctx, d, "starting");
    tenant = (await getTenant(ctx.db, envId))!; // its key and variables as they are now
    const port = tenant.port!;
    const spec = (name: string) => {
      const s = containerSpec(ctx, tenant, template(), image!, port);
      return { ...s, name, deferCpuLimit: false };
    };

    // 1. Beside the live one.
    const sideName = `${tenant.containerName}-r${revision}`;
    await ctx.runtime.remove(sideName); // a crashed attempt's
    log.line(`starting ${sideName} beside the live revision ${tenant.liveRevision}`);
    const sideSpec = spec(sideName);
    const side = await revisions.startBeside({ ...sideSpec, labels: { ...sideSpec.labels, [labelKeys.revision]: String(revision) } }).catch((err: Error) => {
      throw new DeployFailure(`the new revision's container could not start: ${err.message}`);
    });
    await healthyInARow(ctx, log, side.ingressAddress, tenant.healthPath, () => revisions.state(sideName));

    // 2. The route moves to it; the old one drains and goes.
    await ctx.ingress.upsertRoute(tenantRoute(ctx.config, { ...tenant, port }, { ingressAddress: side.ingressAddress, address: null }));
    routeMoved = true;
    log.line(`route moved to revision ${revision}; draining the old container for ${ctx.config.DEPLOY_DRAIN_MS} ms`);
    await sleep(ctx.config.DEPLOY_DRAIN_MS);
    const hostPortDown = Date.now();
    await revisions.stop(tenant.containerName, STOP_GRACE_S);
    await ctx.runtime.remove(tenant.containerName);

    // 3. The tenant's own container, from the new image, on its port and address.
    const created = await ctx.runtime.create(spec(tenant.containerName));
    await ctx.runtime.start(tenant.containerName);
    const info = (await ctx.runtime.inspect(tenant.containerName)) ?? created;
    const own = info.ingressAddress ?? info.address;
    if (!own) throw new Error(`${tenant.containerName} has no address`);
    await healthyInARow(ctx, log, own, tenant.healthPath, () => revisions.state(tenant.containerName));
    log.line(`host port ${port} answers again (refused for ${Date.now() - hostPortDown} ms)`);
    await publishRoute(ctx, { ...tenant, port }, info);
    await sleep(ctx.config.DEPLOY_DRAIN_MS);
    await revisions.stop(sideName, STOP_GRACE_S);
    await ctx.runtime.remove(sideName);

    await goLive(ctx, d, tenant, image, info.id, log);
    await pruneImages(ctx, envId).catch((err: unknown) => ctx.logger.warn({ err, envId }, "could not remove old deploy images"));
    return "live";
  } catch (err) {
    const reason = err instanceof DeployFailure ? err.message : `switch failed: ${(err as Error).message}`;
    log.line(reason);
    // Before the route moved the live revision was never touched; after, the tenant's own container
    // is re-made by the health sweep (provision with the live image) and the route follows it.
    await ctx.runtime.remove(`${tenant.containerName}-r${revision}`).catch(() => {});
    if (routeMoved) {
      const current = await ctx.runtime.inspect(tenant.containerName).catch(() => null);
      if (current) await publishRoute(ctx, tenant, current);
    }
    await fail(ctx, d, tenant, reason, log);
    ctx.logger.warn({ envId, revision, reason }, "deployment failed");
    return "failed";
  }
}

async function setStatus(ctx: WorkerContext, d: Deployment, status: "building" | "starting"): Promise<void> {
  await ctx.db.update(deployments).set({ status, updatedAt: new Date() }).where(eq(deployments.id, d.id));
}

/** Probes until the app answers 200 HEALTHY_IN_A_ROW times in a row; a container that stops, or DEPLOY_HEALTH_TIMEOUT_MS, fails it. */
async function healthyInARow(ctx: WorkerContext, log: DeployLog, address: string, path: string, state: () => Promise<string | null>): Promise<void> {
  const deadline = Date.now() + ctx.config.DEPLOY_HEALTH_TIMEOUT_MS;
  let inARow = 0;
  let last = "no answer yet";
  let checks = 0;
  while (Date.now() < deadline) {
    const probe = await probeTenant(ctx.config, address, path);
    if (probe.ok) {
      if (++inARow >= HEALTHY_IN_A_ROW) {
        log.line(`${path} answered 200 ${HEALTHY_IN_A_ROW} times in a row at ${address}`);
        return;
      }
    } else {
      inARow = 0;
      last = probe.error;
    }
    if (++checks % 5 === 0 || !probe.ok) {
      const s = await state();
      if (s !== "running") throw new DeployFailure(`the new revision's container is ${s ?? "gone"} (it exited); last probe: ${last}`);
    }
    await sleep(PROBE_EVERY_MS);
  }
  throw new DeployFailure(`the new revision did not answer 200 on ${path} ${HEALTHY_IN_A_ROW} times in a row within ${ctx.config.DEPLOY_HEALTH_TIMEOUT_MS / 1000}s (last: ${last})`);
}

async function goLive(ctx: WorkerContext, d: Deployment, tenant: Tenant, image: string, containerId: string, log: DeployLog): Promise<void> {
  const now = new Date();
  log.line(`revision ${d.revision} is live`);
  await ctx.db.transaction(async (tx) => {
    await tx.update(tenants).set({ image, liveRevision: d.revision, containerId, updatedAt: now }).where(eq(tenants.envId, tenant.envId));
    await tx
      .update(deployments)
      .set({ status: "superseded", updatedAt: now })
      .where(and(eq(deployments.envId, tenant.envId), eq(deployments.status, "live"), ne(deployments.id, d.id)));
    await tx.update(deployments).set({ status: "live", liveAt: now, finishedAt: now, updatedAt: now, log: log.value }).where(eq(deployments.id, d.id));
    await recordDeploymentEvent(tx, tenant, "deployment.live", { revision: d.revision, source: d.source, image, error: null });
    // API processes' row caches drop the tenant (its status shows the new revision); the status is unchanged.
    await tx.execute(sql`select pg_notify(${TENANT_STATUS_CHANNEL}, ${JSON.stringify({ envId: tenant.envId, orgId: tenant.orgId, status: tenant.status })})`);
  });
}

async function fail(ctx: WorkerContext, d: Deployment, tenant: Tenant, reason: string, log: DeployLog): Promise<void> {
  const now = new Date();
  await ctx.db.transaction(async (tx) => {
    await tx.update(deployments).set({ status: "failed", error: reason, finishedAt: now, updatedAt: now, log: log.value }).where(eq(deployments.id, d.id));
    await tx.delete(deploymentArchives).where(eq(deploymentArchives.deploymentId, d.id));
    await recordDeploymentEvent(tx, tenant, "deployment.failed", { revision: d.revision, source: d.source, image: d.image, error: reason });
  });
}

/** Keeps the images of the newest DEPLOY_KEEP revisions (and the live one); older revisions lose theirs (no rollback to them). */
export async function pruneImages(ctx: WorkerContext, envId: number): Promise<void> {
  const revisions = ctx.runtime.revisions;
  if (!revisions) return;
  const rows = await ctx.db
    .select({ id: deployments.id, revision: deployments.revision, image: deployments.image, status: deployments.status })
    .from(deployments)
    .where(eq(deployments.envId, envId));
  const own = rows.filter((r) => r.image?.startsWith(`convergence-deploy-${envId}:`)).sort((a, b) => b.revision - a.revision);
  const keepImages = new Set<string>();
  for (const r of own) {
    if (keepImages.size < ctx.config.DEPLOY_KEEP || r.status === "live") keepImages.add(r.image!);
  }
  const removed = await revisions.removeImages(envId, [...keepImages]);
  const gone = own.filter((r) => !keepImages.has(r.image!)).map((r) => r.id);
  if (gone.length) await ctx.db.update(deployments).set({ image: null }).where(inArray(deployments.id, gone));
  if (removed.length) ctx.logger.info({ envId, removed }, "removed old deploy images");
}

/** Every deploy image of a destroyed tenant goes. */
export async function removeDeployImages(ctx: WorkerContext, envId: number): Promise<void> {
  await ctx.runtime.revisions?.removeImages(envId, []);
}

export { deployImageTag };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
