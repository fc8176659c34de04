/**
 * A tenant's public name: `<name>-<envId>.<TENANT_DOMAIN>`. The envId is unique across
 * organisations, so two tenants named alike never share a hostname.
 */
import type { Config } from "../config.js";
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
 * The route for a tenant: to `address`, where the runtime last saw its app answer (it follows the
 * tenant when Swarm moves it to another node); before that is known, to its published `port` on
 * the host (reached where workers reach it).
 */
export function tenantRoute(
  config: Pick<Config, "TENANT_DOMAIN" | "TENANT_PROBE_HOST">,
  tenant: { name: string; envId: number; port: number; address?: string | null },
): IngressRoute {
  const host = config.TENANT_PROBE_HOST.includes(":") ? `[${config.TENANT_PROBE_HOST}]` : config.TENANT_PROBE_HOST;
  return {
    envId: tenant.envId,
    hostname: tenantHostname(tenant.name, tenant.envId, config.TENANT_DOMAIN),
    upstream: tenant.address ?? `${host}:${tenant.port}`,
  };
}
