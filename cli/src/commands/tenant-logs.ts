/**
 * `convergence tenant logs <id> [-f] [--tail N]`: the container's most recent log lines; with -f,
 * then each new line as the tenant prints it, until Ctrl-C (exit 130) or the tenant is destroyed
 * (exit 0). With --json: the lines as a JSON array, or with -f one JSON object per line
 * (`{"at","line"}`), printed as each arrives.
 */
import type { Command } from "commander";
import { nonNegativeInt, tenantId } from "../args.js";
import { action } from "../cli.js";

export function registerTenantLogs(tenant: Command) {
  tenant
    .command("logs")
    .description("print a tenant's most recent log lines, oldest first; -f: then follow them live")
    .argument("<id>", "the tenant: 12 or tenant_12", tenantId)
    .option("-n, --tail <lines>", "how many lines (with -f, 0 = only new ones)", nonNegativeInt(5000), 100)
    .option("-f, --follow", "keep printing new lines as the tenant prints them, until Ctrl-C or the tenant is destroyed")
    .action(
      action(async (cli, envId: number, flags: { tail: number; follow?: boolean }) => {
        const cvg = await cli.client();
        if (flags.follow) {
          for await (const line of cvg.tenants.logs(envId, { tail: flags.tail, follow: true, signal: cli.signal })) {
            process.stdout.write(cli.json ? `${JSON.stringify(parseLine(line))}\n` : `${line}\n`);
          }
          cli.note(`tenant_${envId} was destroyed`);
          return;
        }
        const lines: string[] = [];
        for await (const line of cvg.tenants.logs(envId, { tail: flags.tail, signal: cli.signal })) lines.push(line);
        cli.result(lines, () => lines.join("\n"));
      }),
    );
}

/** A line as the SDK yields it (`<timestamp> <text>`) → its parts. */
function parseLine(line: string): { at: string; line: string } {
  const space = line.indexOf(" ");
  return space < 0 ? { at: line, line: "" } : { at: line.slice(0, space), line: line.slice(space + 1) };
}
