/** `convergence whoami`: which API, context and organisation the commands act on, and where the token comes from. */
import type { Command } from "commander";
import { action } from "../cli.js";

export function registerWhoami(program: Command) {
  program
    .command("whoami")
    .description("show the API, the context and the organisation that commands act on")
    .action(
      action(async (cli) => {
        const { url, context, tokenFrom } = await cli.credentials();
        const { organisation } = await (await cli.client()).org.get({ signal: cli.signal });
        cli.result({ url, context, tokenFrom, organisation }, () =>
          [
            `organisation  ${organisation.id} (${organisation.name})`,
            `api           ${url}`,
            `context       ${context ?? "-"}`,
            `token         from ${tokenFrom === "environment" ? "CONVERGENCE_TOKEN" : `context ${context}`}`,
          ].join("\n"),
        );
      }),
    );
}
