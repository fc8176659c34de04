/** `convergence tenant logs <id> [--tail N]`: the container's most recent log lines. */
import type { Command } from "commander";
import { positiveInt, tenantId } from "../args.js";
import { action } from "../cli.js";

export function registerTenantLogs(tenant: Command) {
  tenant
    .command("logs")
    .description("print a tenant's most recent log lines, oldest first")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .option("-n, --tail <lines>", "how many lines", positiveInt(5000), 100)
    .action(
      action(async (cli, envId: number, flags: { tail: number }) => {
        const cvg = await cli.client();
        const lines: string[] = [];
        for await (const line of cvg.tenants.logs(envId, { tail: flags.tail, signal: cli.signal })) lines.push(line);
        cli.result(lines, () => lines.join("\n"));
      }),
    );
}
