/**
 * Webhook events, recorded in the same transaction as the state change that causes them (see
 * transitionTenant): if the change commits, so does the event, and a crash or a Redis loss
 * cannot drop it. The NOTIFY sent here reaches the worker's dispatcher only on commit.
 */
import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Tx } from "../db/client.js";
import { publicTenantUrl } from "../ingress/hostname.js";
import { tenantEvents, webhookEvents, type Tenant } from "../db/schema.js";
import { runningStatuses, type TenantStatus } from "../tenant-state.js";
import { tenantIdOf } from "../tenants/tenant-id.js";
import { placementView } from "../tenants/view.js";

export const webhookEventTypes = ["tenant.ready", "tenant.failed", "tenant.unhealthy", "tenant.recovered", "tenant.destroyed", "deployment.live", "deployment.failed"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The Postgres channel the worker's dispatcher listens on; the payload is the event id. */
export const WEBHOOK_EVENTS_CHANNEL = "webhook_events";

/**
 * Which state change a subscriber hears about. Becoming ready after having been unhealthy is
 * `tenant.recovered`, whether directly (unhealthy → ready) or through a restart
 * (unhealthy → provisioning → starting → ready); any other arrival at ready is `tenant.ready`
 * (the first time, or again after a key rotation re-created the container). Intermediate
 * states (provisioning, starting, destroying) send nothing.
 */
export function webhookEventTypeFor(from: TenantStatus, to: TenantStatus, unhealthySinceLastReady = false): WebhookEventType | null {
  switch (to) {
    case "ready":
      return from === "unhealthy" || unhealthySinceLastReady ? "tenant.recovered" : "tenant.ready";
    case "unhealthy":
      return "tenant.unhealthy";
    case "failed":
      return "tenant.failed";
    case "destroyed":
      return "tenant.destroyed";
    default:
      return null;
  }
}

export function newWebhookEventId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}

/** What the receiver gets: the tenant's public state, never key material. */
export function webhookPayload(config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">, type: WebhookEventType, previous: Tenant, updated: Tenant, reason?: string) {
  return {
    type,
    timestamp: updated.statusChangedAt.toISOString(),
    data: {
      envId: updated.envId,
      tenantId: tenantIdOf(updated.envId),
      orgId: updated.orgId,
      name: updated.name,
      status: updated.status,
      previousStatus: previous.status,
      port: updated.port,
      url: publicTenantUrl(config, updated),
      ...placementView(updated),
      error: updated.lastError,
      reason: reason ?? null,
      health: {
        lastCheckAt: updated.lastCheckAt?.toISOString() ?? null,
        consecutiveFailures: updated.consecutiveFailures,
        restartCount: updated.restartCount,
      },
      readyAt: updated.readyAt?.toISOString() ?? null,
      destroyedAt: updated.destroyedAt?.toISOString() ?? null,
    },
  };
}
export type WebhookPayload = ReturnType<typeof webhookPayload>;

/**
 * Records the webhook event for a state change, if the tenant has a webhook URL and the change
 * is one subscribers hear about. Call inside the transaction that made the change.
 */
export async function recordWebhookEvent(tx: Tx, config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">, previous: Tenant, updated: Tenant, reason?: string): Promise<string | null> {
  const url = updated.webhookUrl ?? previous.webhookUrl;
  if (!url) return null;
  const type = webhookEventTypeFor(previous.status, updated.status, await unhealthySinceLastReady(tx, previous, updated));
  if (!type) return null;
  const id = newWebhookEventId();
  await tx.insert(webhookEvents).values({
    id,
    orgId: updated.orgId,
    envId: updated.envId,
    type,
    url,
    payload: webhookPayload(config, type, previous, updated, reason),
    createdAt: updated.statusChangedAt,
  });
  await tx.execute(sql`select pg_notify(${WEBHOOK_EVENTS_CHANNEL}, ${id})`);
  return id;
}

/** Records `deployment.live` or `deployment.failed` (docs/deploys.md) in the transaction that made the change, if the tenant has a webhook URL. */
export async function recordDeploymentEvent(
  tx: Tx,
  tenant: Tenant,
  type: "deployment.live" | "deployment.failed",
  deployment: { revision: number; source: string; image: string | null; error: string | null },
): Promise<string | null> {
  if (!tenant.webhookUrl) return null;
  const id = newWebhookEventId();
  const now = new Date();
  const payload = {
    type,
    timestamp: now.toISOString(),
    data: { envId: tenant.envId, tenantId: tenantIdOf(tenant.envId), orgId: tenant.orgId, name: tenant.name, ...deployment },
  };
  await tx.insert(webhookEvents).values({ id, orgId: tenant.orgId, envId: tenant.envId, type, url: tenant.webhookUrl, payload, createdAt: now });
  await tx.execute(sql`select pg_notify(${WEBHOOK_EVENTS_CHANNEL}, ${id})`);
  return id;
}

/** Whether the tenant's last stop among ready/unhealthy, before this change, was unhealthy. */
async function unhealthySinceLastReady(tx: Tx, previous: Tenant, updated: Tenant): Promise<boolean> {
  if (updated.status !== "ready" || previous.status === "unhealthy" || !previous.readyAt) return false;
  const [last] = await tx
    .select({ to: tenantEvents.toStatus })
    .from(tenantEvents)
    .where(and(eq(tenantEvents.envId, updated.envId), inArray(tenantEvents.toStatus, [...runningStatuses]), lt(tenantEvents.createdAt, updated.statusChangedAt)))
    .orderBy(desc(tenantEvents.id))
    .limit(1);
  return last?.to === "unhealthy";
}
