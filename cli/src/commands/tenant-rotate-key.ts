/** `convergence tenant rotate-key <id>`: a new API key, shown once; the old one stops working at once. */
import type { Command } from "commander";
import { tenantId } from "../args.js";
import { action } from "../cli.js";

export function registerTenantRotateKey(tenant: Command) {
  tenant
    .command("rotate-key")
    .description("give a tenant a new API key; the old one is refused from now on and a new revision with it is switched to without downtime")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .action(
      action(async (cli, envId: number) => {
        const t = await (await cli.client()).tenants.rotateKey(envId, { signal: cli.signal });
        cli.result(t, () => [`New key for ${t.tenantId} (${t.name}), shown only now:`, `  ${t.apiKey}`, `A new revision with it is being switched to (${t.status}).`].join("\n"));
      }),
    );
}
