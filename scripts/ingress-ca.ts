/**
 * `npm run -s ingress:ca > convergence-ca.crt`: the root certificate clients must trust to talk
 * to tenants' HTTPS hostnames when the ingress issues them itself (non-public TENANT_DOMAIN).
 */
import { loadConfig } from "../shared/config.js";
import { createIngress } from "../shared/ingress/index.js";

const config = loadConfig();
const pem = await createIngress(config).caCertificate();
if (!pem) {
  console.error(`TENANT_DOMAIN=${config.TENANT_DOMAIN} is a public name: certificates come from a public CA (ACME), nothing to trust`);
  process.exit(1);
}
process.stdout.write(pem.endsWith("\n") ? pem : `${pem}\n`);
