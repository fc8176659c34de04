/** `convergence tenant ls [--status ready,unhealthy] [--all]`: the organisation's tenants as a table, newest first. */
import type { Tenant, TenantStatus } from "@convergence/sdk";
import { InvalidArgumentError, type Command } from "commander";
import { action } from "../cli.js";
import { table, time } from "../format.js";
import { paintStatus } from "../tty.js";

const statuses: TenantStatus[] = ["pending", "provisioning", "starting", "ready", "unhealthy", "paused", "stopped", "waking", "failed", "destroying", "destroyed"];

function statusList(value: string): TenantStatus[] {
  const list = value.split(",").map((s) => s.trim());
  const bad = list.filter((s) => !(statuses as string[]).includes(s));
  if (bad.length) throw new InvalidArgumentError(`unknown status ${bad.join(", ")}; one of ${statuses.join(", ")}`);
  return list as TenantStatus[];
}

export function registerTenantLs(tenant: Command) {
  tenant
    .command("ls")
    .alias("list")
    .description("list the organisation's tenants, newest first (destroyed ones only with --all or --status)")
    .option("-s, --status <statuses>", "only these, comma-separated (e.g. ready,unhealthy)", statusList)
    .option("-a, --all", "destroyed tenants too")
    .action(
      action(async (cli, flags: { status?: TenantStatus[]; all?: boolean }) => {
        const cvg = await cli.client();
        const status = flags.status ?? (flags.all ? undefined : statuses.filter((s) => s !== "destroyed"));
        const tenants: Tenant[] = [];
        for await (const t of cvg.tenants.listAll({ status, signal: cli.signal })) tenants.push(t);
        cli.result(tenants, () =>
          tenants.length === 0
            ? "No tenants."
            : table(
                ["ID", "NAME", "STATUS", "TEMPLATE", "PORT", "URL", "CREATED"],
                tenants.map((t) => [
                  String(t.envId),
                  t.name,
                  paintStatus(cli.out, t.status),
                  `${t.language}/${t.framework}`,
                  t.port && t.status !== "destroyed" ? String(t.port) : "",
                  t.url ?? "",
                  time(t.createdAt),
                ]),
              ),
        );
      }),
    );
}
