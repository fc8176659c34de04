/**
 * The Drizzle schema: organisations, tenants, their state-transition events, and the port
 * leases that make a host port belong to at most one live tenant (a primary key, not a lock).
 */
import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, check, customType, jsonb, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { tenantStatuses, type TenantStatus } from "../tenant-state.js";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const organisations = pgTable("organisations", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  /** SHA-256 of the organisation token; the token itself is shown once and never stored. */
  tokenHash: text("token_hash").notNull().unique(),
  tokenPrefix: text("token_prefix").notNull(),
  /** Standard Webhooks signing secret (whsec_…), AES-256-GCM encrypted; readable by its organisation, rotatable. */
  webhookSecretEnc: text("webhook_secret_enc"),
  webhookSecretPrefix: text("webhook_secret_prefix"),
  /**
   * Bumped whenever the organisation token changes. Access tokens (JWTs) carry the epoch they
   * were issued in; one from an older epoch is refused, so rotating the token revokes them all.
   */
  tokenEpoch: integer("token_epoch").notNull().default(0),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export const tenants = pgTable(
  "tenants",
  {
    envId: serial("env_id").primaryKey(),
    orgId: integer("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    language: text("language").notNull(),
    framework: text("framework").notNull(),
    status: text("status").$type<TenantStatus>().notNull().default("pending"),
    /** The host port; kept after destroy for history. Liveness of the claim is in port_leases. */
    port: integer("port"),
    containerId: text("container_id"),
    containerName: text("container_name").notNull(),
    image: text("image"),
    apiKeyPrefix: text("api_key_prefix").notNull(),
    /** SHA-256 of the tenant API key, for authentication. */
    apiKeyHash: text("api_key_hash").notNull().unique(),
    /** AES-256-GCM encrypted copy, only so a worker can inject the key into the container again. */
    apiKeyEnc: text("api_key_enc").notNull(),
    apiKeyRevokedAt: ts("api_key_revoked_at"),
    /** When the key was last rotated: an idempotent replay of the spawn no longer shows a key after that. */
    apiKeyRotatedAt: ts("api_key_rotated_at"),
    idempotencyKey: text("idempotency_key"),
    lastError: text("last_error"),
    lastCheckAt: ts("last_check_at"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    restartCount: integer("restart_count").notNull().default(0),
    /** Platform restarts since the tenant was last healthy: the crash-loop detector. */
    crashRestarts: integer("crash_restarts").notNull().default(0),
    /** Crash-loop back-off: the health sweep does not restart the container before this time. */
    nextRestartAt: ts("next_restart_at"),
    /**
     * Where the tenant runs, as the runtime last reported it when its app answered there: the node
     * (a Swarm node, or the one Docker engine's host) and `address`, the host:port its app answers
     * at. Health sweeps and readiness probe the runtime's current address; a change of node is a move.
     */
    nodeId: text("node_id"),
    nodeHostname: text("node_hostname"),
    nodeAddress: text("node_address"),
    address: text("address"),
    /** Where readiness and health events for this tenant are delivered (Standard Webhooks). */
    webhookUrl: text("webhook_url"),
    /** Per-tenant quotas set at spawn; null means unlimited. */
    quotaPerMinute: integer("quota_per_minute"),
    quotaPerMonth: integer("quota_per_month"),
    /** The revision that serves (deployments.revision); 1 is the spawn's template. */
    liveRevision: integer("live_revision").notNull().default(1),
    /** Where the app's health is probed (a deploy's three probes, readiness, sweeps). */
    healthPath: text("health_path").notNull().default("/health"),
    /** The app's own environment variables: a JSON object, AES-256-GCM encrypted; null when none are set. */
    appEnvEnc: text("app_env_enc"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    statusChangedAt: ts("status_changed_at").notNull().defaultNow(),
    readyAt: ts("ready_at"),
    destroyedAt: ts("destroyed_at"),
  },
  (t) => [
    index("tenants_org_idx").on(t.orgId, t.envId),
    index("tenants_status_idx").on(t.status, t.statusChangedAt),
    uniqueIndex("tenants_org_idempotency_key").on(t.orgId, t.idempotencyKey),
    check("tenants_status_check", sql.raw(`status in (${tenantStatuses.map((s) => `'${s}'`).join(", ")})`)),
  ],
);

export const tenantEvents = pgTable(
  "tenant_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    envId: integer("env_id")
      .notNull()
      .references(() => tenants.envId),
    orgId: integer("org_id").notNull(),
    fromStatus: text("from_status").$type<TenantStatus>(),
    toStatus: text("to_status").$type<TenantStatus>().notNull(),
    reason: text("reason").notNull(),
    /** Who made the change: "api", "worker:<host>:<pid>", "reconciler", … */
    actor: text("actor").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  // By organisation too: its event stream reads "this organisation's events after id N".
  (t) => [index("tenant_events_env_idx").on(t.envId, t.id), index("tenant_events_org_idx").on(t.orgId, t.id)],
);

/**
 * An organisation's own limits, where the operator set them (`npm run org -- set-limits`); a null
 * column means the platform default from the configuration (ORG_MAX_TENANTS, …).
 */
export const orgLimits = pgTable("org_limits", {
  orgId: integer("org_id")
    .primaryKey()
    .references(() => organisations.id),
  maxTenants: integer("max_tenants"),
  spawnsPerMinute: integer("spawns_per_minute"),
  rotationsPerMinute: integer("rotations_per_minute"),
  destroysPerMinute: integer("destroys_per_minute"),
  logsPerMinute: integer("logs_per_minute"),
  maxEventStreams: integer("max_event_streams"),
  maxHeldWaits: integer("max_held_waits"),
  maxLogFollows: integer("max_log_follows"),
  deploysPerMinute: integer("deploys_per_minute"),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const portLeases = pgTable("port_leases", {
  port: integer("port").primaryKey(),
  envId: integer("env_id")
    .notNull()
    .unique()
    .references(() => tenants.envId),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** One row per convergence call (used, failed or refused): the billing record. */
export const convergenceCalls = pgTable(
  "convergence_calls",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: integer("org_id").notNull(),
    envId: integer("env_id")
      .notNull()
      .references(() => tenants.envId),
    createdAt: ts("created_at").notNull().defaultNow(),
    /**
     * ok: answered; error: the engine or provider failed; refused: over a quota or rate limit;
     * aborted: stopped before it finished (the client went away, or CONVERGE_TIMEOUT_MS ran out).
     */
    outcome: text("outcome").$type<"ok" | "error" | "refused" | "aborted">().notNull(),
    httpStatus: integer("http_status").notNull(),
    errorCode: text("error_code"),
    converged: boolean("converged"),
    rounds: integer("rounds").notNull().default(0),
    tokensIn: integer("tokens_in"),
    tokensOut: integer("tokens_out"),
    latencyMs: integer("latency_ms").notNull(),
    provider: text("provider"),
    model: text("model"),
  },
  (t) => [
    index("convergence_calls_org_time_idx").on(t.orgId, t.createdAt),
    index("convergence_calls_env_time_idx").on(t.envId, t.createdAt),
    check("convergence_calls_outcome_check", sql`outcome in ('ok', 'error', 'refused', 'aborted')`),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export const deploymentStatuses = ["queued", "building", "starting", "live", "failed", "superseded"] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];
export const deploymentSources = ["template", "upload", "rollback", "env", "rotate-key"] as const;
export type DeploymentSource = (typeof deploymentSources)[number];

/**
 * A tenant's revisions (docs/deploys.md): revision 1 is the spawn's template; each deploy,
 * rollback, env change or key rotation adds one. Immutable once live, failed or superseded.
 */
export const deployments = pgTable(
  "deployments",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    envId: integer("env_id")
      .notNull()
      .references(() => tenants.envId),
    orgId: integer("org_id").notNull(),
    revision: integer("revision").notNull(),
    status: text("status").$type<DeploymentStatus>().notNull().default("queued"),
    source: text("source").$type<DeploymentSource>().notNull(),
    /** For a rollback: the revision whose image it runs again. */
    rollbackOf: integer("rollback_of"),
    /** The image the revision runs; set once built (or, for rollback/env/rotate-key, at once). */
    image: text("image"),
    error: text("error"),
    /** Build and start log, bounded (DEPLOY_LOG_MAX_BYTES, the tail kept). */
    log: text("log").notNull().default(""),
    archiveBytes: integer("archive_bytes"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    liveAt: ts("live_at"),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    uniqueIndex("deployments_env_revision").on(t.envId, t.revision),
    // At most one deployment of a tenant under way: a second one is refused (DEPLOY_IN_PROGRESS).
    uniqueIndex("deployments_one_active").on(t.envId).where(sql`status in ('queued', 'building', 'starting')`),
    check("deployments_status_check", sql.raw(`status in (${deploymentStatuses.map((s) => `'${s}'`).join(", ")})`)),
  ],
);

/**
 * Uploaded archives, apart from their deployments so listing revisions never reads them. In
 * Postgres, not on the API host's disk: any worker on any host can build any deployment, and the
 * archive goes with the tenant's other data into backups. Deleted once the revision is built.
 */
export const deploymentArchives = pgTable("deployment_archives", {
  deploymentId: bigint("deployment_id", { mode: "number" })
    .primaryKey()
    .references(() => deployments.id),
  archive: bytea("archive").notNull(),
});

/**
 * Webhook events, written in the same transaction as the state change that causes them, so a
 * crash or a Redis loss cannot drop one. Delivery attempts are recorded in webhook_attempts.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    /** The Standard Webhooks `webhook-id` (msg_…): the receiver's idempotency key. */
    id: text("id").primaryKey(),
    orgId: integer("org_id").notNull(),
    envId: integer("env_id")
      .notNull()
      .references(() => tenants.envId),
    type: text("type").notNull(),
    url: text("url").notNull(),
    payload: jsonb("payload").notNull(),
    status: text("status").$type<"pending" | "delivered" | "failed">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    deliveredAt: ts("delivered_at"),
  },
  (t) => [index("webhook_events_env_idx").on(t.envId, t.createdAt), index("webhook_events_status_idx").on(t.status)],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id),
    attempt: integer("attempt").notNull(),
    at: ts("at").notNull().defaultNow(),
    httpStatus: integer("http_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("webhook_attempts_event_idx").on(t.eventId, t.attempt)],
);

/**
 * The keys that sign access tokens, shared by every API process (so any of them signs and
 * verifies). A key is published in the JWKS from creation, signs in [signs_from, signs_until),
 * and verifies until verifies_until, which is after every token it signed has expired.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    /** RFC 7638 thumbprint of the public key; the JWT header's `kid`. */
    kid: text("kid").primaryKey(),
    alg: text("alg").notNull(),
    /** The public key as a JWK, as published at /.well-known/jwks.json. */
    publicJwk: jsonb("public_jwk").$type<Record<string, unknown>>().notNull(),
    /** The private key as a JWK, AES-256-GCM encrypted with ENCRYPTION_KEY. */
    privateJwkEnc: text("private_jwk_enc").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    signsFrom: ts("signs_from").notNull(),
    signsUntil: ts("signs_until").notNull(),
    verifiesUntil: ts("verifies_until").notNull(),
  },
  (t) => [index("signing_keys_verifies_until_idx").on(t.verifiesUntil), check("signing_keys_window_check", sql`${t.signsFrom} < ${t.signsUntil} and ${t.signsUntil} <= ${t.verifiesUntil}`)],
);

/**
 * One row: what ENCRYPTION_KEY must be. `check_value` is an AES-256-GCM encryption, under that key,
 * of a known constant (shared/encryption-key.ts), written on first start and by
 * `npm run rotate-encryption-key`: a process started with another key refuses to start.
 */
export const encryptionKeyCheck = pgTable(
  "encryption_key_check",
  {
    id: integer("id").primaryKey().default(1),
    checkValue: text("check_value").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    rotatedAt: ts("rotated_at"),
  },
  (t) => [check("encryption_key_check_one_row", sql`${t.id} = 1`)],
);

export type Organisation = typeof organisations.$inferSelect;
export type Tenant = typeof tenants.$inferSelect;
export type TenantEvent = typeof tenantEvents.$inferSelect;
export type ConvergenceCall = typeof convergenceCalls.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;
