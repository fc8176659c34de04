/**
 * The `convergence` command line, on the SDK. Exit codes: 0 ok, 1 the operation failed (e.g. a
 * tenant failed), 2 usage error, 3 auth error. `--json` on any command prints machine-readable
 * output only: the result, or `{"success":false,"error":{…}}`, on stdout.
 */
import { Command, CommanderError } from "commander";
import { interrupt, version } from "./cli.js";
import { registerCompletion } from "./commands/completion.js";
import { registerContext } from "./commands/context.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerLogin } from "./commands/login.js";
import { registerOrg } from "./commands/org.js";
import { registerOrgCreate } from "./commands/org-create.js";
import { registerTenantDestroy } from "./commands/tenant-destroy.js";
import { registerTenantLogs } from "./commands/tenant-logs.js";
import { registerTenantLs } from "./commands/tenant-ls.js";
import { registerTenantRotateKey } from "./commands/tenant-rotate-key.js";
import { registerTenantSleep } from "./commands/tenant-sleep.js";
import { registerTenantSpawn } from "./commands/tenant-spawn.js";
import { registerTenantStatus } from "./commands/tenant-status.js";
import { registerTemplates } from "./commands/templates.js";
import { registerToken } from "./commands/token.js";
import { registerUsage } from "./commands/usage.js";
import { registerWebhooks } from "./commands/webhooks.js";
import { registerWhoami } from "./commands/whoami.js";
import { errorJson, exitCodeOf, exitCodes } from "./errors.js";
// Decided before parsing, so that even a bad flag is reported as JSON.
const json = process.argv.includes("--json");

const program = new Command("convergence")
  .description("Spawn, watch and destroy Convergence tenants; read usage; manage organisations.")
  .version(version)
  .option("--json", "machine-readable output only: JSON on stdout")
  .option("--context <name>", "the stored login to use (default: the current one; see `convergence context ls`)")
  .exitOverride() // parse errors are thrown, and mapped to exit code 2 below; subcommands inherit this
  .configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) })
  .showHelpAfterError(json ? false : "(add --help for usage)")
  .addHelpText(
    "after",
    `
Log in: \`convergence login --url http://localhost:3000\` asks for the organisation token (hidden),
or reads it with --token-stdin, and stores it as a context in $XDG_CONFIG_HOME/convergence
(~/.config/convergence, mode 600). CONVERGENCE_URL and CONVERGENCE_TOKEN override the context.
Colours only on a terminal, never with NO_COLOR. Completion: \`convergence completion bash|zsh|fish\`.
Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 auth error, 130 interrupted.`,
  );

registerLogin(program);
registerWhoami(program);
registerContext(program);
const tenant = program.command("tenant").description("spawn, list, inspect and destroy tenants");
registerTenantSpawn(tenant);
registerTenantLs(tenant);
registerTenantStatus(tenant);
registerTenantLogs(tenant);
registerTenantDestroy(tenant);
registerTenantRotateKey(tenant);
registerTemplates(program);
registerTenantSleep(tenant);
registerDeploy(program);
registerUsage(program);
registerWebhooks(program);
registerToken(program);
const org = program.command("org").description("your organisation (show, rotate-token); create: platform operator only");
registerOrg(org);
registerOrgCreate(org);
registerCompletion(program);

process.once("SIGINT", () => interrupt.abort(new CommanderError(130, "interrupted", "interrupted")));

try {
  await program.parseAsync(process.argv);
  process.exitCode = exitCodes.ok;
} catch (err) {
  if (interrupt.signal.aborted) {
    process.exitCode = 130;
  } else if (err instanceof CommanderError && err.exitCode === 0) {
    process.exitCode = exitCodes.ok; // --help, --version
  } else {
    process.exitCode = exitCodeOf(err);
    if (json) process.stdout.write(`${JSON.stringify(errorJson(err), null, 2)}\n`);
    else if (!(err instanceof CommanderError)) process.stderr.write(`convergence: ${(err as Error).message ?? String(err)}\n`);
  }
}
