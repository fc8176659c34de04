/** `convergence tenant sleep <id> [--stop]` and `convergence tenant wake <id> [--wait]`: scale to zero by hand (docs/idle.md). */
import type { Command } from "commander";
import { positiveInt, tenantId } from "../args.js";
import { action } from "../cli.js";

export function registerTenantSleep(tenant: Command) {
  tenant
    .command("sleep")
    .description("put a tenant to sleep: paused (memory kept), or with --stop stopped (memory freed); its next request wakes it")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .option("--stop", "stop it instead of pausing it (the only mode on Swarm)")
    .action(
      action(async (cli, envId: number, flags: { stop?: boolean }) => {
        const t = await (await cli.client()).tenants.sleep(envId, flags.stop ? "stopped" : "paused", { signal: cli.signal });
        cli.result(t, () => `${t.tenantId} (${t.name}) is ${t.status}; its next request through ${t.url ?? "its hostname"} wakes it`);
      }),
    );
  tenant
    .command("wake")
    .description("wake a paused or stopped tenant")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .option("-w, --wait", "wait until it is ready")
    .option("--timeout <seconds>", "with --wait: how long to wait", positiveInt(3600), 120)
    .action(
      action(async (cli, envId: number, flags: { wait?: boolean; timeout: number }) => {
        const t = await (await cli.client()).tenants.wake(envId, { wait: flags.wait ? "ready" : undefined, timeoutMs: flags.timeout * 1000, signal: cli.signal });
        cli.result(t, () => (t.status === "ready" ? `✓ ${t.tenantId} (${t.name}) is ready` : `${t.tenantId} (${t.name}) is ${t.status}`));
      }),
    );
}
