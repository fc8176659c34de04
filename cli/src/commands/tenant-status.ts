/** `convergence tenant status <id>`: one tenant's state, port, health, timestamps and last error. */
import type { Command } from "commander";
import { tenantId } from "../args.js";
import { action } from "../cli.js";
import { time } from "../format.js";
import { paintStatus } from "../tty.js";

export function registerTenantStatus(tenant: Command) {
  tenant
    .command("status")
    .description("show a tenant: state, port, health, timestamps, last error")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .action(
      action(async (cli, envId: number) => {
        const t = await (await cli.client()).tenants.get(envId, { signal: cli.signal });
        cli.result(t, () =>
          [
            `${cli.out.bold(t.tenantId)}  ${t.name}  ${paintStatus(cli.out, t.status)}`,
            `  template     ${t.language}/${t.framework}`,
            `  port         ${t.port ?? "-"}${t.url ? `  ${t.url}` : ""}`,
            `  container    ${t.containerName}${t.containerId ? ` (${t.containerId.slice(0, 12)})` : ""}`,
            `  key          ${t.apiKeyPrefix}…`,
            `  health       last check ${time(t.health.lastCheckAt)}, ${t.health.consecutiveFailures} failing checks, ${t.health.restartCount} restarts`,
            `  created      ${time(t.createdAt)}`,
            `  ready        ${time(t.readyAt)}`,
            `  changed      ${time(t.statusChangedAt)}`,
            ...(t.destroyedAt ? [`  destroyed    ${time(t.destroyedAt)}`] : []),
            ...(t.webhookUrl ? [`  webhook      ${t.webhookUrl}`] : []),
            ...(t.error ? [`  error        ${cli.out.red(t.error)}`] : []),
          ].join("\n"),
        );
      }),
    );
}
