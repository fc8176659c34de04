/** The one place the ingress is chosen and configured. */
import type { Config } from "../config.js";
import { CaddyIngress } from "./caddy/index.js";
import type { Ingress } from "./types.js";

export function createIngress(config: Config): Ingress {
  return new CaddyIngress({
    adminUrl: config.CADDY_ADMIN_URL,
    owner: config.INGRESS_NAME,
    domain: config.TENANT_DOMAIN,
    httpsPort: config.INGRESS_HTTPS_PORT,
    httpPort: config.INGRESS_HTTP_PORT,
    api: config.API_HOSTNAME ? { hostname: config.API_HOSTNAME, upstream: config.API_INGRESS_UPSTREAM } : undefined,
  });
}
