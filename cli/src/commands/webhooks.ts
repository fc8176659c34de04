/**
 * `convergence webhooks secret`: the `whsec_…` secret deliveries are signed with (created on the
 * first call); `convergence webhooks rotate-secret`: a new one, used from the next delivery on.
 */
import type { Command } from "commander";
import { action } from "../cli.js";

export function registerWebhooks(program: Command) {
  const webhooks = program.command("webhooks").description("the secret webhook deliveries are signed with (Standard Webhooks)");
  webhooks
    .command("secret")
    .description("print the signing secret, to verify deliveries with")
    .action(
      action(async (cli) => {
        const secret = await (await cli.client()).webhooks.secret({ signal: cli.signal });
        cli.result(secret, () => secret.secret);
      }),
    );
  webhooks
    .command("rotate-secret")
    .description("replace the signing secret; every delivery from now on, retries included, is signed with the new one")
    .action(
      action(async (cli) => {
        const secret = await (await cli.client()).webhooks.rotateSecret({ signal: cli.signal });
        cli.result(secret, () => secret.secret);
        cli.note("Deliveries are signed with this secret from now on: update your receivers.");
      }),
    );
}
