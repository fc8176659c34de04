/**
 * spawnTenant: records the desired tenant (row, port lease, key, event) in one transaction, then
 * enqueues its provision job. The row is written first: if the enqueue is lost, the reconciler
 * finds the pending tenant and enqueues it again.
 *
 * Before anything is written: the template and webhook are checked, an Idempotency-Key seen
 * within IDEMPOTENCY_KEY_TTL_SECONDS answers with its tenant, the organisation's spawn rate is
 * taken, and inside the transaction its live-tenant limit and the host's capacity are checked.
 */
import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { AppContext } from "../context.js";
import { TENANT_KEY_PREFIX, decryptSecret, displayPrefix, encryptSecret, hashSecret, newSecret } from "../crypto.js";
import { deployments, tenants, type Tenant } from "../db/schema.js";
import { AppError } from "../errors.js";
import { assertBeforeDeadline, type Deadline } from "../deadline.js";
import { enqueueOrLeaveToReconciler, jobs } from "../jobs.js";
import { admitTenant } from "../limits/admission.js";
import { limitsOf } from "../limits/limits.js";
import { takeToken } from "../limits/rate.js";
import { validateWebhookUrl } from "../webhooks/target.js";
import { recordTenantEvent } from "./event-log.js";
import { allocatePort, portRange } from "./ports.js";

export interface SpawnInput {
  name: string;
  language: string;
  framework: string;
  webhookUrl?: string;
  quota?: { callsPerMinute?: number; callsPerMonth?: number };
}

export interface SpawnResult {
  tenant: Tenant;
  /** Absent on a replay once the key has been rotated or revoked since: a key is shown only while it is the one in use. */
  apiKey?: string;
  /** True when an earlier request with the same Idempotency-Key created this tenant. */
  replayed: boolean;
}

export async function spawnTenant(args: {
  ctx: AppContext;
  orgId: number;
  input: SpawnInput;
  idempotencyKey?: string;
  /** The request's: a spawn answered 503 already creates nothing. */
  deadline?: Deadline;
}): Promise<SpawnResult> {
  const { ctx, orgId, input, idempotencyKey, deadline } = args;
  const template = ctx.templates.get(input.language, input.framework);
  if (!template) {
    const available = ctx.templates.list().map((t) => ({ language: t.language, framework: t.framework }));
    throw new AppError(
      "UNKNOWN_TEMPLATE",
      `no template for language "${input.language}" and framework "${input.framework}"; available: ${available.map((a) => `${a.language}/${a.framework}`).join(", ")}`,
      { available },
    );
  }
  // A webhook must not be a way into the platform's own network (SSRF): checked before anything is written.
  if (input.webhookUrl) await validateWebhookUrl(input.webhookUrl, ctx.config);

  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(ctx, orgId, idempotencyKey);
    if (existing) return replay(ctx, existing, input);
  }

  // The env id is drawn before the transaction, outside the admission lock (a refused spawn leaves a gap, as a rolled-back one always did).
  const [{ limits }, envId] = await Promise.all([limitsOf(ctx.db, ctx.config, orgId), nextEnvId(ctx)]);
  await takeToken(ctx, orgId, "spawnsPerMinute", limits.spawnsPerMinute);

  const apiKey = newSecret(TENANT_KEY_PREFIX);
  const row = {
    envId,
    orgId,
    name: input.name,
    language: input.language,
    framework: input.framework,
    status: "pending" as const,
    containerName: `${ctx.config.TENANT_CONTAINER_PREFIX}${envId}`,
    apiKeyPrefix: displayPrefix(apiKey),
    apiKeyHash: hashSecret(apiKey),
    apiKeyEnc: encryptSecret(apiKey, ctx.config.ENCRYPTION_KEY),
    idempotencyKey: idempotencyKey ?? null,
    webhookUrl: input.webhookUrl ?? null,
    quotaPerMinute: input.quota?.callsPerMinute ?? null,
    quotaPerMonth: input.quota?.callsPerMonth ?? null,
  };
  let tenant: Tenant;
  try {
    tenant = await ctx.db.transaction(async (tx) => {
      await admitTenant(tx, ctx.config, orgId, limits.maxTenants);
      // Admitted: the rest goes out at once, in this order, and postgres.js pipelines it, so the
      // admission lock is held for as few round trips as can be. Each statement is started
      // (`execute()`) before the next one is made: that fixes the order on the wire. A key past
      // its window is freed (the tenant it made lets go of it), the row inserted, its port leased
      // (the lease references the row) and the event recorded; the first error aborts the transaction.
      const freeing = idempotencyKey
        ? tx
            .update(tenants)
            .set({ idempotencyKey: null })
            .where(and(eq(tenants.orgId, orgId), eq(tenants.idempotencyKey, idempotencyKey), lte(tenants.createdAt, idempotencyWindowStart(ctx))))
            .execute()
        : undefined;
      const inserting = tx.insert(tenants).values(row).returning().execute();
      const leasing = allocatePort(tx, envId, portRange(ctx.config));
      const recording = recordTenantEvent(tx, { envId, orgId, fromStatus: null, toStatus: "pending", reason: `spawn requested (${template.id})`, actor: ctx.actor });
      // Revision 1 is the template (docs/deploys.md); it goes live when the tenant first becomes ready.
      const revisioning = tx.insert(deployments).values({ envId, orgId, revision: 1, source: "template", status: "starting" }).execute();
      const [, [inserted], port] = await Promise.all([freeing, inserting, leasing, recording, revisioning]);
      if (!inserted) throw new Error("insert returned no row");
      // Answered 503 already (a dependency hung past REQUEST_TIMEOUT_MS)? Then create nothing.
      assertBeforeDeadline(deadline, "the spawn");
      return { ...inserted, port };
    });
  } catch (err) {
    // Two requests with the same Idempotency-Key raced: the loser returns the winner's tenant.
    if (idempotencyKey && isUniqueViolation(err, "tenants_org_idempotency_key")) {
      const existing = await findByIdempotencyKey(ctx, orgId, idempotencyKey);
      if (existing) return replay(ctx, existing, input);
    }
    throw err;
  }

  await enqueueOrLeaveToReconciler(ctx, jobs.provision, { envId: tenant.envId });
  return { tenant, apiKey, replayed: false };
}

async function nextEnvId(ctx: AppContext): Promise<number> {
  const [row] = await ctx.db.execute<{ envId: number }>(sql`select nextval(pg_get_serial_sequence('tenants', 'env_id'))::int as "envId"`);
  if (!row) throw new Error("nextval returned no row");
  return row.envId;
}

/** Keys used before this instant are expired. Postgres's clock, like created_at's. */
const idempotencyWindowStart = (ctx: AppContext) => sql<Date>`now() - make_interval(secs => ${ctx.config.IDEMPOTENCY_KEY_TTL_SECONDS})`;

async function findByIdempotencyKey(ctx: AppContext, orgId: number, key: string) {
  const [row] = await ctx.db
    .select()
    .from(tenants)
    .where(and(eq(tenants.orgId, orgId), eq(tenants.idempotencyKey, key), gt(tenants.createdAt, idempotencyWindowStart(ctx))));
  return row;
}

function replay(ctx: AppContext, existing: Tenant, input: SpawnInput): SpawnResult {
  if (existing.name !== input.name || existing.language !== input.language || existing.framework !== input.framework) {
    throw new AppError("IDEMPOTENCY_KEY_REUSED", `Idempotency-Key was already used for a different request (tenant ${existing.envId})`);
  }
  // Same caller, same request: the same tenant, and its key while it is still the one the first
  // answer showed. A rotated or revoked key was replaced or withdrawn on purpose: it is not shown again.
  const keyUnchanged = existing.apiKeyRotatedAt === null && existing.apiKeyRevokedAt === null;
  return { tenant: existing, ...(keyUnchanged ? { apiKey: decryptSecret(existing.apiKeyEnc, ctx.config.ENCRYPTION_KEY) } : {}), replayed: true };
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = (err as { cause?: unknown })?.cause ?? err;
  const pg = e as { code?: string; constraint_name?: string };
  return pg?.code === "23505" && (!constraint || pg.constraint_name === constraint);
}
