/**
 * A tenant's public name: `<name>-<envId>.<TENANT_DOMAIN>`. The envId is unique across
 * organisations, so two tenants named alike never share a hostname.
 */
import type { Config } from "../config.js";
import type { ContainerInfo } from "../runtime/types.js";
import type { TenantStatus } from "../tenant-state.js";
import type { IngressRoute } from "./types.js";

const maxLabel = 63;

export function tenantHostname(name: string, envId: number, domain: string): string {
  const suffix = `-${envId}`;
  // Names are DNS labels already (spawn validates them); long ones are cut so the label stays ≤ 63.
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, maxLabel - suffix.length)
    .replace(/^-+|-+$/g, "");
  return `${base || "tenant"}${suffix}.${domain}`;
}

/** The URL a client uses: no port when the ingress listens on 443. */
export function tenantUrl(config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">, tenant: { name: string; envId: number }): string {
  const port = config.INGRESS_HTTPS_PORT === 443 ? "" : `:${config.INGRESS_HTTPS_PORT}`;
  return `https://${tenantHostname(tenant.name, tenant.envId, config.TENANT_DOMAIN)}${port}`;
}

/**
 * The `url` of a tenant in API answers and webhooks: known from the spawn on (it answers once the
 * tenant is ready, and while it is unhealthy); null once it is failed or torn down, when its
 * hostname has no route any more.
 */
export function publicTenantUrl(config: Pick<Config, "TENANT_DOMAIN" | "INGRESS_HTTPS_PORT">, tenant: { name: string; envId: number; status: TenantStatus }): string | null {
  return unroutedStatuses.includes(tenant.status) ? null : tenantUrl(config, tenant);
}

const unroutedStatuses: readonly TenantStatus[] = ["failed", "destroying", "destroyed"];

/**
 * The route for a tenant: its hostname, and the address the runtime reports for the ingress to
 * dial (the container's own address on the tenant network, or where its app answers); a runtime
 * that reports neither is reached on its published port where workers reach it.
 */
export function tenantRoute(
  config: Pick<Config, "TENANT_DOMAIN" | "TENANT_PROBE_HOST">,
  tenant: { name: string; envId: number; port: number },
  container?: Pick<ContainerInfo, "ingressAddress" | "address"> | null,
): IngressRoute {
  const probeHost = config.TENANT_PROBE_HOST.includes(":") ? `[${config.TENANT_PROBE_HOST}]` : config.TENANT_PROBE_HOST;
  return {
    envId: tenant.envId,
    hostname: tenantHostname(tenant.name, tenant.envId, config.TENANT_DOMAIN),
    upstream: container?.ingressAddress ?? container?.address ?? `${probeHost}:${tenant.port}`,
  };
}

/** A sleeping tenant's route (docs/idle.md): to the waker, which holds the request while the tenant wakes. */
export function wakerRoute(config: Pick<Config, "TENANT_DOMAIN" | "WAKER_HOST" | "WAKER_PORT">, tenant: { name: string; envId: number }): IngressRoute {
  const host = config.WAKER_HOST.includes(":") ? `[${config.WAKER_HOST}]` : config.WAKER_HOST;
  return { envId: tenant.envId, hostname: tenantHostname(tenant.name, tenant.envId, config.TENANT_DOMAIN), upstream: `${host}:${config.WAKER_PORT}`, wake: true };
}
