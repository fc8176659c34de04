/** The public shape of a tenant, as the API returns it. Never includes key material. */
import type { Tenant } from "../db/schema.js";
import { liveStatuses } from "../tenant-state.js";
import { tenantIdOf } from "./tenant-id.js";

/**
 * Where a live tenant runs, as last recorded (see tenants.node_id): its node and the host:port its
 * app answers at; `url` is that address until the ingress gives tenants hostnames. Null until it is
 * first ready (only then is it known where: on Swarm, a node of Swarm's choosing), and once it is
 * failed or destroyed.
 */
export function placementView(t: Tenant) {
  const live = liveStatuses.includes(t.status);
  const address = live ? t.address : null;
  return {
    url: address ? `http://${address}` : null,
    node: live && t.nodeId ? { id: t.nodeId, hostname: t.nodeHostname ?? "", address: t.nodeAddress ?? "" } : null,
    address,
  };
}

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
    ...placementView(t),
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
