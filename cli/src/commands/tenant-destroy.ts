/** `convergence tenant destroy <id> [--wait]`: tear a tenant down; its record stays, as `destroyed`. */
import type { Command } from "commander";
import { positiveInt, tenantId } from "../args.js";
import { action } from "../cli.js";

export function registerTenantDestroy(tenant: Command) {
  tenant
    .command("destroy")
    .alias("rm")
    .description("tear a tenant down, from any state")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .option("-w, --wait", "wait until its container and port are gone")
    .option("--timeout <seconds>", "with --wait: how long to wait", positiveInt(3600), 120)
    .action(
      action(async (cli, envId: number, flags: { wait?: boolean; timeout: number }) => {
        const cvg = await cli.client();
        const t = await cvg.tenants.destroy(envId, { wait: flags.wait, timeoutMs: flags.timeout * 1000, signal: cli.signal });
        cli.result(t, () => (t.status === "destroyed" ? `✓ ${t.tenantId} (${t.name}) destroyed` : `${t.tenantId} (${t.name}) is ${t.status}`));
      }),
    );
}
