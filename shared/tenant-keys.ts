/**
 * Tenant API keys: authentication of convergence calls, and rotation. A key is looked up by its
 * SHA-256 and compared in constant time; a revoked key, or the key of a destroyed tenant, fails.
 */
import { eq, sql } from "drizzle-orm";
import { timingSafeEqual } from "node:crypto";
import type { AppContext } from "./context.js";
import { TENANT_KEY_PREFIX, displayPrefix, encryptSecret, hashSecret, newSecret } from "./crypto.js";
import { prepared, type Db } from "./db/client.js";
import { tenants, type Deployment, type Tenant } from "./db/schema.js";
import { rotateKeyByRevision } from "./deploys/deployments.js";
import { AppError } from "./errors.js";
import { assertBeforeDeadline, type Deadline } from "./deadline.js";
import { enqueueOrLeaveToReconciler, jobs } from "./jobs.js";
import { limitsOf } from "./limits/limits.js";
import { takeToken } from "./limits/rate.js";
import { rotatableStatuses, runningStatuses, teardownStatuses } from "./tenant-state.js";
import { getTenantForOrg } from "./tenants/queries.js";
import { transitionTenant } from "./tenants/transition.js";

const tenantByKeyHash = prepared((db) =>
  db
    .select()
    .from(tenants)
    .where(eq(tenants.apiKeyHash, sql.placeholder("hash")))
    .prepare("tenant_by_key_hash"),
);

/**
 * Key → tenant, in process, for the convergence hot path. Trusted only while this process hears
 * every tenant status change (LISTEN tenant_status): a change (rotation and destroy both are
 * one) evicts the tenant, a lost LISTEN empties the cache, and entries expire after ttlMs
 * regardless. A row read from Postgres is cached only if nothing was evicted during the read,
 * so a lookup racing a rotation can never re-insert the old key.
 */
export class TenantKeyCache {
  private readonly entries = new Map<string, { tenant: Tenant; expires: number }>();
  private generation = 0;

  constructor(
    private readonly feed: { readonly isListening: boolean; onChange(fn: (envId: number | null) => void): void },
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {
    feed.onChange((envId) => (envId === null ? this.clear() : this.evict(envId)));
  }

  get(hash: string): Tenant | undefined {
    if (!this.feed.isListening) return undefined;
    const entry = this.entries.get(hash);
    if (entry && entry.expires > Date.now()) return entry.tenant;
    if (entry) this.entries.delete(hash);
    return undefined;
  }

  /** The generation to pass to `set` after reading from Postgres. */
  get currentGeneration(): number {
    return this.generation;
  }

  set(hash: string, tenant: Tenant, readAtGeneration: number): void {
    if (!this.feed.isListening || readAtGeneration !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { tenant, expires: Date.now() + this.ttlMs });
  }

  evict(envId: number): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.tenant.envId === envId) this.entries.delete(hash);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

export async function authenticateTenantKey(db: Db, key: string, cache?: TenantKeyCache): Promise<Tenant> {
  // Made only when thrown: an Error captures a stack trace, which costs more than the rest of a cached lookup.
  const invalid = () => new AppError("UNAUTHORIZED", "invalid or revoked tenant API key");
  if (!key.startsWith(TENANT_KEY_PREFIX)) throw invalid();
  const hash = hashSecret(key);
  let tenant = cache?.get(hash);
  if (!tenant) {
    const generation = cache?.currentGeneration ?? 0;
    [tenant] = await tenantByKeyHash(db).execute({ hash });
    if (tenant && cache) cache.set(hash, tenant, generation);
  }
  if (!tenant || !timingSafeEqual(Buffer.from(tenant.apiKeyHash), Buffer.from(hash))) throw invalid();
  if (tenant.apiKeyRevokedAt || teardownStatuses.includes(tenant.status)) throw invalid();
  return tenant;
}

/**
 * Issues a new key (returned once); the old one stops working at once. On Docker the tenant stays
 * ready: a new revision with the new key is started beside the running one and switched to
 * without downtime (a `rotate-key` deployment). On Swarm the running tenant is moved back to
 * provisioning so a worker re-creates its service with the new key.
 */
export async function rotateTenantKey(args: { ctx: AppContext; orgId: number; envId: number; deadline?: Deadline }): Promise<{ tenant: Tenant; apiKey: string; deployment?: Deployment }> {
  const { ctx, orgId, envId, deadline } = args;
  const current = await getTenantForOrg(ctx.db, orgId, envId);
  if (!rotatableStatuses.includes(current.status)) {
    throw new AppError("INVALID_STATE", `tenant ${envId} is ${current.status}; keys can be rotated while it is ready, unhealthy, paused, stopped or waking`);
  }
  const { limits } = await limitsOf(ctx.db, ctx.config, orgId);
  await takeToken(ctx, orgId, "rotationsPerMinute", limits.rotationsPerMinute);
  // Answered 503 already? Then the key stays as it is: a new one nobody saw would lock the tenant out.
  assertBeforeDeadline(deadline, "the key rotation");
  const apiKey = newSecret(TENANT_KEY_PREFIX);
  // Docker: a new revision with the new key, switched to without downtime (docs/deploys.md). A
  // sleeping tenant (paused, stopped, waking) has nothing serving to switch from: it is re-created
  // with the new key, as on Swarm, which wakes it.
  if (ctx.config.CONVERGENCE_RUNTIME === "docker" && runningStatuses.includes(current.status)) {
    const { tenant, deployment } = await rotateKeyByRevision(ctx, orgId, envId, {
      apiKeyHash: hashSecret(apiKey),
      apiKeyEnc: encryptSecret(apiKey, ctx.config.ENCRYPTION_KEY),
      apiKeyPrefix: displayPrefix(apiKey),
      apiKeyRotatedAt: new Date(),
    });
    return { tenant, apiKey, deployment };
  }
  const tenant = await transitionTenant(ctx, {
    envId,
    from: rotatableStatuses,
    to: "provisioning",
    reason: "API key rotated: re-creating the container with the new key",
    actor: ctx.actor,
    patch: {
      apiKeyHash: hashSecret(apiKey),
      apiKeyEnc: encryptSecret(apiKey, ctx.config.ENCRYPTION_KEY),
      apiKeyPrefix: displayPrefix(apiKey),
      apiKeyRotatedAt: new Date(),
    },
  });
  if (!tenant) throw new AppError("CONFLICT", `tenant ${envId} changed state during rotation; try again`);
  await enqueueOrLeaveToReconciler(ctx, jobs.provision, { envId, reason: "rotate-key" });
  return { tenant, apiKey };
}
