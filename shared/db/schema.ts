/**
 * The Drizzle schema: organisations, tenants, their state-transition events, and the port
 * leases that make a host port belong to at most one live tenant (a primary key, not a lock).
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  check,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { tenantStatuses, type TenantStatus } from "../tenant-state.js";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const organisations = pgTable("organisations", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  /** SHA-256 of the organisation token; the token itself is shown once and never stored. */
  tokenHash: text("token_hash").notNull().unique(),
  tokenPrefix: text("token_prefix").notNull(),
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
    idempotencyKey: text("idempotency_key"),
    lastError: text("last_error"),
    lastCheckAt: ts("last_check_at"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    restartCount: integer("restart_count").notNull().default(0),
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
    check(
      "tenants_status_check",
      sql.raw(`status in (${tenantStatuses.map((s) => `'${s}'`).join(", ")})`),
    ),
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
  (t) => [index("tenant_events_env_idx").on(t.envId, t.id)],
);

export const portLeases = pgTable("port_leases", {
  port: integer("port").primaryKey(),
  envId: integer("env_id")
    .notNull()
    .unique()
    .references(() => tenants.envId),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export type Organisation = typeof organisations.$inferSelect;
export type Tenant = typeof tenants.$inferSelect;
export type TenantEvent = typeof tenantEvents.$inferSelect;
