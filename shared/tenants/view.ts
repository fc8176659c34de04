/** The public shape of a tenant, as the API returns it. Never includes key material. */
import type { Tenant } from "../db/schema.js";
import { tenantIdOf } from "./tenant-id.js";

export function tenantView(t: Tenant) {
  return {
    envId: t.envId,
    tenantId: tenantIdOf(t.envId),
    orgId: t.orgId,
    name: t.name,
    language: t.language,
    framework: t.framework,
    status: t.status,
    port: t.port,
    url: t.port && t.status !== "destroyed" ? `http://localhost:${t.port}` : null,
    containerName: t.containerName,
    containerId: t.containerId,
    image: t.image,
    apiKeyPrefix: t.apiKeyPrefix,
    error: t.lastError,
    webhookUrl: t.webhookUrl,
    quota: { callsPerMinute: t.quotaPerMinute, callsPerMonth: t.quotaPerMonth },
    health: {
      lastCheckAt: t.lastCheckAt?.toISOString() ?? null,
      consecutiveFailures: t.consecutiveFailures,
      restartCount: t.restartCount,
    },
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    statusChangedAt: t.statusChangedAt.toISOString(),
    readyAt: t.readyAt?.toISOString() ?? null,
    destroyedAt: t.destroyedAt?.toISOString() ?? null,
  };
}

export type TenantView = ReturnType<typeof tenantView>;
