/**
 * A tenant's revisions as the API makes and reads them (docs/deploys.md): an upload, a rollback
 * and an env change each write a `queued` deployment row (the archive beside it) in one
 * transaction, then enqueue the deploy job a worker runs (./run.ts). At most one deployment of a
 * tenant is under way: a second is refused with 409 DEPLOY_IN_PROGRESS (a partial unique index
 * decides, whatever the concurrency).
 */
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { AppContext } from "../context.js";
import { decryptSecret, encryptSecret } from "../crypto.js";
import type { Tx } from "../db/client.js";
import { deploymentArchives, deployments, tenants, type Deployment, type DeploymentSource, type Tenant } from "../db/schema.js";
import { AppError, notFound } from "../errors.js";
import { enqueueOrLeaveToReconciler, jobs } from "../jobs.js";
import { limitsOf } from "../limits/limits.js";
import { takeToken } from "../limits/rate.js";
import { runningStatuses } from "../tenant-state.js";
import { assertOrgCanStartWork } from "../billing/guard.js";
import { assertBeforeDeadline, type Deadline } from "../deadline.js";
import { getTenantForOrg } from "../tenants/queries.js";
import { TENANT_STATUS_CHANNEL } from "../tenants/status-feed.js";
import { ArchiveError, readArchive } from "./archive.js";

export const activeDeploymentStatuses = ["queued", "building", "starting"] as const;

/** Checks the archive (nothing stored when it fails), then records revision N+1 and enqueues its build. */
export async function deployUpload(args: { ctx: AppContext; orgId: number; envId: number; archive: Buffer; healthPath?: string; deadline?: Deadline }): Promise<Deployment> {
  const { ctx, orgId, envId, archive, healthPath, deadline } = args;
  await getTenantForOrg(ctx.db, orgId, envId); // 404 before anything else
  await assertOrgCanStartWork(ctx, orgId, "deploys"); // 402 while the organisation's invoice is past due
  if (archive.length > ctx.config.DEPLOY_MAX_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `the archive is larger than ${ctx.config.DEPLOY_MAX_BYTES} bytes`);
  try {
    await readArchive(archive, { maxFiles: ctx.config.DEPLOY_MAX_FILES, maxBytes: ctx.config.DEPLOY_MAX_BYTES });
  } catch (err) {
    if (err instanceof ArchiveError) throw new AppError("INVALID_ARCHIVE", err.message, { reason: err.reason, ...(err.entry ? { entry: err.entry } : {}) });
    throw err;
  }
  // Answered 503 already (a slow Postgres)? Then nothing is recorded for a client that was told it failed.
  assertBeforeDeadline(deadline, "the deployment");
  return (await newDeployment(ctx, orgId, envId, { source: "upload", archive, healthPath })).deployment;
}

/** A new revision running the image of `revision` again (no rebuild); that revision must have gone live and still have its image. */
export async function rollbackTo(args: { ctx: AppContext; orgId: number; envId: number; revision: number }): Promise<Deployment> {
  const { ctx, orgId, envId, revision } = args;
  await getTenantForOrg(ctx.db, orgId, envId);
  const target = await getDeployment(ctx, orgId, envId, revision);
  if (!target.liveAt) throw new AppError("INVALID_STATE", `revision ${revision} never went live; only a revision that served can be rolled back to`);
  if (!target.image) throw new AppError("INVALID_STATE", `revision ${revision}'s image was removed (only the last DEPLOY_KEEP revisions keep theirs)`);
  return (await newDeployment(ctx, orgId, envId, { source: "rollback", rollbackOf: revision, image: target.image })).deployment;
}

const reservedEnvName = /^(CONVERGENCE_|TENANT_)/;
const envName = /^[A-Z_][A-Z0-9_]*$/;

/** Validates the app's variables (names, platform prefixes, sizes); throws VALIDATION_FAILED naming each bad one. */
export function checkAppEnv(vars: Record<string, string>): void {
  const issues: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!envName.test(name)) issues.push(`${name}: names are [A-Z_][A-Z0-9_]*`);
    else if (reservedEnvName.test(name) || name === "PORT" || name === "NODE_ENV") issues.push(`${name}: set by the platform`);
    if (typeof value !== "string" || value.length > 32 * 1024 || value.includes("\0")) issues.push(`${name}: values are strings of at most 32 KiB without NUL`);
  }
  if (Object.keys(vars).length > 200) issues.push("at most 200 variables");
  if (issues.length) throw new AppError("VALIDATION_FAILED", `invalid environment variables: ${issues.join("; ")}`, { issues });
}

/** The app's variables (decrypted) for the container; empty when none are set. */
export function appEnvOf(tenant: Pick<Tenant, "appEnvEnc">, encryptionKey: string): Record<string, string> {
  return tenant.appEnvEnc ? (JSON.parse(decryptSecret(tenant.appEnvEnc, encryptionKey)) as Record<string, string>) : {};
}

/** What GET shows of a value: never the value, only its length and last characters when it is long enough not to give it away. */
export function maskValue(value: string): string {
  return value.length >= 16 ? `…${value.slice(-4)} (${value.length} characters)` : `(${value.length} characters)`;
}

/** Replaces the app's variables (stored encrypted) and makes a new revision of the live image with them. */
export async function setAppEnv(args: { ctx: AppContext; orgId: number; envId: number; vars: Record<string, string> }): Promise<Deployment> {
  const { ctx, orgId, envId, vars } = args;
  checkAppEnv(vars);
  await getTenantForOrg(ctx.db, orgId, envId);
  const sealed = Object.keys(vars).length ? encryptSecret(JSON.stringify(vars), ctx.config.ENCRYPTION_KEY) : null;
  return (await newDeployment(ctx, orgId, envId, { source: "env", appEnvEnc: sealed })).deployment;
}

/**
 * A key rotation as a revision: the new key's hash (the old key is refused from the commit on,
 * in every API process: the NOTIFY evicts it) and a `rotate-key` deployment of the live image.
 */
export async function rotateKeyByRevision(
  ctx: AppContext,
  orgId: number,
  envId: number,
  key: Pick<Tenant, "apiKeyHash" | "apiKeyEnc" | "apiKeyPrefix" | "apiKeyRotatedAt">,
): Promise<{ tenant: Tenant; deployment: Deployment }> {
  const { deployment, tenant } = await newDeployment(ctx, orgId, envId, { source: "rotate-key", key }, { rateLimited: false });
  return { deployment, tenant };
}

/**
 * Records the next revision (and its archive, or the env change) in one transaction under the
 * tenant's row lock, then enqueues its job; the rate limit first, so a refused one costs nothing.
 */
async function newDeployment(
  ctx: AppContext,
  orgId: number,
  envId: number,
  what: {
    source: DeploymentSource;
    archive?: Buffer;
    rollbackOf?: number;
    image?: string;
    appEnvEnc?: string | null;
    healthPath?: string;
    key?: Pick<Tenant, "apiKeyHash" | "apiKeyEnc" | "apiKeyPrefix" | "apiKeyRotatedAt">;
  },
  opts: { rateLimited: boolean } = { rateLimited: true },
): Promise<{ deployment: Deployment; tenant: Tenant }> {
  if (opts.rateLimited) {
    const { limits } = await limitsOf(ctx.db, ctx.config, orgId);
    await takeToken(ctx, orgId, "deploysPerMinute", limits.deploysPerMinute);
  }
  let created: { deployment: Deployment; tenant: Tenant };
  try {
    created = await ctx.db.transaction(async (tx) => {
      const tenant = await lockTenant(tx, orgId, envId);
      if (!runningStatuses.includes(tenant.status)) {
        throw new AppError("INVALID_STATE", `tenant ${envId} is ${tenant.status}; revisions are deployed while it is ready or unhealthy`);
      }
      const image = what.source === "env" || what.source === "rotate-key" ? await liveImage(tx, tenant) : what.image;
      const [row] = await tx
        .insert(deployments)
        .values({
          envId,
          orgId,
          revision: sql`(select coalesce(max(${deployments.revision}), 0) + 1 from ${deployments} where ${deployments.envId} = ${envId})`,
          source: what.source,
          rollbackOf: what.rollbackOf ?? null,
          healthPath: what.healthPath ?? null,
          image: image ?? null,
          archiveBytes: what.archive?.length ?? null,
        })
        .returning();
      if (!row) throw new Error("insert returned no row");
      if (what.archive) await tx.insert(deploymentArchives).values({ deploymentId: row.id, archive: what.archive });
      let updated = tenant;
      if (what.appEnvEnc !== undefined || what.key) {
        const patch = { ...(what.appEnvEnc !== undefined ? { appEnvEnc: what.appEnvEnc } : {}), ...what.key, updatedAt: new Date() };
        [updated = tenant] = await tx.update(tenants).set(patch).where(eq(tenants.envId, envId)).returning();
        // Every API process drops the tenant from its caches (the old key, the row): the status is unchanged.
        await tx.execute(sql`select pg_notify(${TENANT_STATUS_CHANNEL}, ${JSON.stringify({ envId, orgId, status: tenant.status })})`);
      }
      return { deployment: row, tenant: updated };
    });
  } catch (err) {
    if (isActiveConflict(err)) {
      throw new AppError("DEPLOY_IN_PROGRESS", `tenant ${envId} has a deployment under way; wait for it to finish (live or failed) and try again`);
    }
    throw err;
  }
  await enqueueOrLeaveToReconciler(ctx, jobs.deploy, { envId, revision: created.deployment.revision });
  return created;
}

function isActiveConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string; cause?: { code?: string; constraint_name?: string } };
  const c = e.cause ?? e;
  return c.code === "23505" && c.constraint_name === "deployments_one_active";
}

async function lockTenant(tx: Tx, orgId: number, envId: number): Promise<Tenant> {
  const [row] = await tx
    .select()
    .from(tenants)
    .where(and(eq(tenants.envId, envId), eq(tenants.orgId, orgId)))
    .for("update");
  if (!row) throw notFound(`tenant ${envId}`);
  return row;
}

async function liveImage(tx: Tx, tenant: Tenant): Promise<string> {
  const [live] = await tx
    .select({ image: deployments.image })
    .from(deployments)
    .where(and(eq(deployments.envId, tenant.envId), eq(deployments.revision, tenant.liveRevision)));
  const image = live?.image ?? tenant.image;
  if (!image) throw new AppError("INVALID_STATE", `tenant ${tenant.envId} has no image yet`);
  return image;
}

export async function getDeployment(ctx: AppContext, orgId: number, envId: number, revision: number): Promise<Deployment> {
  const [row] = await ctx.db
    .select()
    .from(deployments)
    .where(and(eq(deployments.envId, envId), eq(deployments.orgId, orgId), eq(deployments.revision, revision)));
  if (!row) throw notFound(`revision ${revision} of tenant ${envId}`);
  return row;
}

/** Newest first; `cursor` is the last revision of the previous page. */
export async function listDeployments(ctx: AppContext, q: { orgId: number; envId: number; limit: number; cursor?: number }): Promise<{ items: Deployment[]; nextCursor: number | null }> {
  await getTenantForOrg(ctx.db, q.orgId, q.envId);
  const rows = await ctx.db
    .select()
    .from(deployments)
    .where(and(eq(deployments.envId, q.envId), eq(deployments.orgId, q.orgId), q.cursor ? lt(deployments.revision, q.cursor) : undefined))
    .orderBy(desc(deployments.revision))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.revision ?? null) : null };
}

/** A deployment as the API shows it (no archive, the log only on its own route). */
export function deploymentView(d: Deployment) {
  return {
    revision: d.revision,
    status: d.status,
    source: d.source,
    rollbackOf: d.rollbackOf,
    healthPath: d.healthPath,
    image: d.image,
    error: d.error,
    archiveBytes: d.archiveBytes,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    liveAt: d.liveAt?.toISOString() ?? null,
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}
