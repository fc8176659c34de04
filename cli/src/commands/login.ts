/** `convergence login --url … --token …`: checks the token against the API, then stores both. */
import { Convergence } from "@convergence/sdk";
import type { Command } from "commander";
import { url } from "../args.js";
import { action } from "../cli.js";
import { store } from "../config.js";

export function registerLogin(program: Command) {
  program
    .command("login")
    .description("check an organisation token against the API, then store both (mode 600) for later commands")
    .requiredOption("--url <url>", "the API, e.g. http://localhost:3000", url)
    .requiredOption("--token <token>", "the organisation token (cvg_org_…)")
    .action(
      action(async (cli, opts: { url: string; token: string }) => {
        const cvg = new Convergence({ baseUrl: opts.url, token: opts.token, retry: { maxAttempts: 2 } });
        await cvg.tenants.list({ limit: 1, signal: cli.signal }); // a wrong token is a 401 (exit 3) and nothing is stored
        const file = await store({ url: opts.url, token: opts.token });
        cli.result({ success: true, url: opts.url, configFile: file }, () => `Logged in to ${opts.url}; stored in ${file}`);
      }),
    );
}
