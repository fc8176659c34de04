/**
 * `convergence login [--url …] [--token-stdin] [--context <name>]`: asks for the organisation
 * token without echoing it (on a terminal) or reads it from stdin, checks it against the API,
 * then stores the URL and the token as a context (default "default") and makes it the current
 * one. The token never needs to be on the command line, where shell history and `ps` would keep
 * it; `--token` still works for old scripts. `logout` forgets a context's login.
 */
import type { Command } from "commander";
import { url } from "../args.js";
import { action } from "../cli.js";
import { DEFAULT_CONTEXT, readConfig, store, writeConfig } from "../config.js";
import { CliError, exitCodes, usageError } from "../errors.js";
import { askHidden, canAsk, readStdin } from "../tty.js";

interface LoginFlags {
  url?: string;
  token?: string;
  tokenStdin?: boolean;
}

export function registerLogin(program: Command) {
  program
    .command("login")
    .description("store the API's URL and an organisation token (checked first) as a context; asks for the token, hidden, on a terminal")
    .option("--url <url>", "the API, e.g. http://localhost:3000 (default: the context's URL, or CONVERGENCE_URL)", url)
    .option("--token-stdin", "read the token from stdin (e.g. `pass show convergence | convergence login --token-stdin`)")
    .option("--token <token>", "deprecated: the token on the command line, where shell history keeps it")
    .addHelpText("after", "\nThe context is --context <name> (default: default); it becomes the current one.")
    .action(
      action(async (cli, flags: LoginFlags) => {
        const name = cli.contextFlag ?? DEFAULT_CONTEXT;
        const config = await readConfig();
        const target = flags.url ?? config.contexts[name]?.url ?? process.env.CONVERGENCE_URL;
        if (!target) throw usageError("which API? pass --url, e.g. --url http://localhost:3000");
        const token = await readToken(flags, cli.json);
        const cvg = cli.clientFor(target, token, 2);
        // A wrong token is a 401 (exit 3) and nothing is stored.
        const { organisation } = await cli.spin(`checking the token against ${target}`, () => cvg.org.get({ signal: cli.signal }));
        const file = await store({ url: target, token }, name);
        cli.result({ success: true, context: name, url: target, organisation, configFile: file }, () =>
          [`${cli.out.green("✓")} Logged in to ${target} as organisation ${organisation.id} (${organisation.name}), context ${cli.out.bold(name)}`, `  stored in ${file}`].join("\n"),
        );
      }),
    );

  program
    .command("logout")
    .description("forget the login of the current context (or --context <name>); --all: of every context")
    .option("--all", "every context")
    .action(
      action(async (cli, flags: { all?: boolean }) => {
        const config = await readConfig();
        const names = flags.all ? Object.keys(config.contexts) : [cli.contextFlag ?? config.current].filter((n): n is string => Boolean(n));
        const removed = names.filter((n) => n in config.contexts);
        if (!flags.all && names.length > 0 && removed.length === 0) throw new CliError("UNKNOWN_CONTEXT", `no context "${names[0]}"`, exitCodes.usage);
        const contexts = Object.fromEntries(Object.entries(config.contexts).filter(([n]) => !removed.includes(n)));
        const current = config.current && config.current in contexts ? config.current : null;
        const file = removed.length > 0 ? await writeConfig({ current, contexts }) : null;
        cli.result({ success: true, removed, current, configFile: file }, () => (removed.length ? `Logged out of ${removed.join(", ")}` : "Not logged in: nothing to forget"));
        if (process.env.CONVERGENCE_TOKEN) cli.note("CONVERGENCE_TOKEN is still set in this shell: unset it too");
      }),
    );
}

/** The token from stdin, the (deprecated) flag, or a hidden prompt; never echoed. */
async function readToken(flags: LoginFlags, json: boolean): Promise<string> {
  let token: string | null;
  if (flags.tokenStdin) token = await readStdin();
  else if (flags.token) {
    token = flags.token;
    if (!json) process.stderr.write("note: --token puts the token in shell history and ps; prefer --token-stdin, or the prompt on a terminal\n");
  } else if (canAsk() && !json) token = await askHidden("Organisation token (cvg_org_…, not shown): ");
  else throw usageError("no token: pass it on stdin with --token-stdin, or run `convergence login` on a terminal to be asked for it");
  token = token?.trim() ?? "";
  if (!token) throw usageError("no token given");
  return token;
}
