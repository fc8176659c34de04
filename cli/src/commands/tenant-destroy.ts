/**
 * `convergence tenant destroy <id> [--wait] [--yes]`: tear a tenant down; its record stays, as
 * `destroyed`. On a terminal it asks first (answer with the tenant's name); anywhere else it
 * refuses without --yes (exit 2), so a script never destroys by accident.
 */
import type { Command } from "commander";
import { positiveInt, tenantId } from "../args.js";
import { action } from "../cli.js";
import { CliError, exitCodes, usageError } from "../errors.js";
import { ask, canAsk } from "../tty.js";

export function registerTenantDestroy(tenant: Command) {
  tenant
    .command("destroy")
    .alias("rm")
    .description("tear a tenant down, from any state (asks first on a terminal; --yes elsewhere)")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .option("-y, --yes", "do not ask: destroy it")
    .option("-w, --wait", "wait until its container and port are gone")
    .option("--timeout <seconds>", "with --wait: how long to wait", positiveInt(3600), 120)
    .action(
      action(async (cli, envId: number, flags: { yes?: boolean; wait?: boolean; timeout: number }) => {
        const cvg = await cli.client();
        if (!flags.yes) {
          if (cli.json || !canAsk()) throw usageError(`tenant destroy needs --yes when it cannot ask (not a terminal, or --json): convergence tenant destroy ${envId} --yes`);
          const current = await cvg.tenants.get(envId, { signal: cli.signal });
          const answer = await ask(
            `Destroy ${current.tenantId} (${cli.err.bold(current.name)}, ${current.status})? Its container, port and route go; its record stays. Type its name to confirm: `,
          );
          if (answer !== current.name) throw new CliError("CANCELLED", "not destroyed: the answer was not the tenant's name", exitCodes.failed);
        }
        const t = await cli.spin(`destroying tenant_${envId}`, () => cvg.tenants.destroy(envId, { wait: flags.wait, timeoutMs: flags.timeout * 1000, signal: cli.signal }));
        cli.result(t, () => (t.status === "destroyed" ? `${cli.out.green("✓")} ${t.tenantId} (${t.name}) destroyed` : `${t.tenantId} (${t.name}) is ${t.status}`));
      }),
    );
}
