/** The public shape of a tenant, as the API returns it. Never includes key material. */
import type { Config } from "../config.js";
import type { Tenant } from "../db/schema.js";
import { publicTenantUrl } from "../ingress/hostname.js";
import { tenantIdOf } from "./tenant-id.js";

export function tenantView(t: Tenant, config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">) {
  return {
    envId: t.envId,
    tenantId: tenantIdOf(t.envId),
    orgId: t.orgId,
    name: t.name,
    language: t.language,
    framework: t.framework,
    status: t.status,
    port: t.port,
    /** https://<name>-<envId>.<TENANT_DOMAIN> through the ingress; `port` keeps working on the host. */
    url: publicTenantUrl(config, t),
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
