/** `convergence context ls|use|rm`: the stored logins, one per installation, and which one is current. */
import type { Command } from "commander";
import { action } from "../cli.js";
import { readConfig, writeConfig } from "../config.js";
import { CliError, exitCodes } from "../errors.js";
import { table } from "../format.js";

const unknown = (name: string, known: string[]) =>
  new CliError("UNKNOWN_CONTEXT", `no context "${name}"${known.length ? ` (known: ${known.join(", ")})` : ""}; create it with \`convergence login --context ${name} --url …\``, exitCodes.usage);

export function registerContext(program: Command) {
  const context = program.command("context").description("named logins for several installations: list them, pick the current one");

  context
    .command("ls")
    .alias("list")
    .description("list the contexts; * marks the current one")
    .action(
      action(async (cli) => {
        const config = await readConfig();
        const rows = Object.entries(config.contexts).map(([name, c]) => ({ name, url: c.url, current: name === config.current }));
        cli.result(rows, () =>
          rows.length === 0
            ? "No contexts: run `convergence login --url <API URL>`"
            : table(
                ["CURRENT", "NAME", "URL"],
                rows.map((r) => [r.current ? "*" : "", r.name, r.url]),
              ),
        );
      }),
    );

  context
    .command("use")
    .description("make a context the current one")
    .argument("<name>", "a context made by `convergence login --context <name>`")
    .action(
      action(async (cli, name: string) => {
        const config = await readConfig();
        if (!(name in config.contexts)) throw unknown(name, Object.keys(config.contexts));
        await writeConfig({ ...config, current: name });
        cli.result({ success: true, current: name, url: config.contexts[name]!.url }, () => `Now using context ${cli.out.bold(name)} (${config.contexts[name]!.url})`);
      }),
    );

  context
    .command("rm")
    .description("forget a context")
    .argument("<name>")
    .action(
      action(async (cli, name: string) => {
        const config = await readConfig();
        if (!(name in config.contexts)) throw unknown(name, Object.keys(config.contexts));
        const { [name]: _, ...contexts } = config.contexts;
        await writeConfig({ current: config.current === name ? null : config.current, contexts });
        cli.result({ success: true, removed: name }, () => `Context ${name} removed`);
      }),
    );
}
