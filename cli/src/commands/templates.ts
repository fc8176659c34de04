/** `convergence templates`: what `tenant spawn --template` accepts. */
import type { Command } from "commander";
import { action } from "../cli.js";
import { table } from "../format.js";

export function registerTemplates(program: Command) {
  program
    .command("templates")
    .description("list the templates a tenant can be spawned from")
    .action(
      action(async (cli) => {
        const templates = await (await cli.client()).templates.list({ signal: cli.signal });
        cli.result(templates, () =>
          table(
            ["TEMPLATE", "DESCRIPTION"],
            templates.map((t) => [t.id, t.description]),
          ),
        );
      }),
    );
}
