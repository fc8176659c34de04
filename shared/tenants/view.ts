/** The public shape of a tenant, as the API returns it. Never includes key material. */
import type { Config } from "../config.js";
import type { Tenant } from "../db/schema.js";
import { publicTenantUrl } from "../ingress/hostname.js";
import { liveStatuses } from "../tenant-state.js";
import { tenantIdOf } from "./tenant-id.js";

/**
 * Where a live tenant runs, as last recorded (see tenants.node_id): its node and the host:port its
 * app answers at (which changes when Swarm moves it; its `url`, the ingress hostname, does not).
 * Null until it is first ready (only then is it known where: on Swarm, a node of Swarm's choosing),
 * and once it is failed or destroyed.
 */
export function placementView(t: Tenant) {
  const live = liveStatuses.includes(t.status);
  return {
    node: live && t.nodeId ? { id: t.nodeId, hostname: t.nodeHostname ?? "", address: t.nodeAddress ?? "" } : null,
    address: live ? t.address : null,
  };
}

export function tenantView(t: Tenant, config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">) {
  // Named, not spread: a spread inside an object literal takes V8's slow path (µs on every status read).
  const placement = placementView(t);
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
    node: placement.node,
    address: placement.address,
    containerName: t.containerName,
    containerId: t.containerId,
    image: t.image,
    /** The live revision (docs/deploys.md); 1 is the template. */
    revision: t.liveRevision,
    healthPath: t.healthPath,
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
