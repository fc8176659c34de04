/**
 * `convergence deploy [DIR] --tenant ID [--wait] [--json]`: packs the directory (honouring
 * .gitignore and .convergenceignore), uploads it as a new revision, and with --wait streams its
 * build and start log until it is live (exit 0) or failed (exit 1, the reason on stderr).
 */
import { ConvergenceError, type Deployment } from "@convergence/sdk";
import type { Command } from "commander";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { tenantId } from "../args.js";
import { action } from "../cli.js";
import { usageError } from "../errors.js";
import { packDirectory } from "../pack.js";

const LOG_POLL_MS = 1_000;

export function registerDeploy(program: Command) {
  program
    .command("deploy")
    .description("deploy a Node app (its directory, package.json at its root) to a tenant as a new revision, switched to without downtime")
    .argument("[dir]", "the app's directory", ".")
    .requiredOption("--tenant <id>", "the tenant: 12 or tenant_12", tenantId)
    .option("--wait", "wait until the revision is live (or failed), streaming its build log")
    .option("--health-path <path>", "where the app's health is checked (default: the tenant's, /health)")
    .action(
      action(async (cli, dir: string, opts: { tenant: number; wait?: boolean; healthPath?: string }) => {
        const root = resolve(dir);
        if (!existsSync(root) || !statSync(root).isDirectory()) throw usageError(`${dir} is not a directory`);
        if (!existsSync(join(root, "package.json"))) throw usageError(`${dir} has no package.json`);
        const { archive, entries } = packDirectory(root);
        cli.note(`packed ${entries} entries (${Math.ceil(archive.length / 1024)} KiB) from ${root}`);
        const client = await cli.client();
        const envId = opts.tenant;
        let d: Deployment = await client.tenants.deploy(envId, archive, { signal: cli.signal, healthPath: opts.healthPath });
        cli.note(`revision ${d.revision} ${d.status}`);
        if (opts.wait) {
          let printed = 0;
          const streamLog = async () => {
            const { log } = await client.tenants.deploymentLogs(envId, d.revision, { signal: cli.signal });
            if (!cli.json && log.length > printed) process.stderr.write(log.slice(printed));
            printed = log.length;
          };
          while (!["live", "failed", "superseded"].includes(d.status)) {
            await new Promise((r) => setTimeout(r, LOG_POLL_MS));
            await streamLog();
            d = await client.tenants.deployment(envId, d.revision, { signal: cli.signal });
          }
          await streamLog();
          if (d.status !== "live") {
            throw new ConvergenceError("DEPLOYMENT_FAILED", `revision ${d.revision} ${d.status}${d.error ? `: ${d.error}` : ""}`, { details: d });
          }
        }
        cli.result(d, () => (d.status === "live" ? `revision ${d.revision} of tenant_${envId} is live (${d.image})` : `revision ${d.revision} of tenant_${envId} is ${d.status}`));
      }),
    );
}
