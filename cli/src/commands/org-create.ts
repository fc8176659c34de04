/** `convergence org create <name>`: for the platform operator; prints the new organisation's token once. */
import type { Command } from "commander";
import { action } from "../cli.js";

export function registerOrgCreate(org: Command) {
  org
    .command("create")
    .description("create an organisation (operator only: CONVERGENCE_ADMIN_TOKEN or organisation 1's token)")
    .argument("<name>", "the organisation's name")
    .action(
      action(async (cli, name: string) => {
        const created = await (await cli.client()).orgs.create(name, { signal: cli.signal });
        cli.result(created, () => [`Organisation ${created.organisation.id} "${created.organisation.name}" created. Its token, shown only now:`, `  ${created.token}`].join("\n"));
      }),
    );
}
