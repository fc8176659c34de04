/**
 * The `convergence` command line, on the SDK. Exit codes: 0 ok, 1 the operation failed (e.g. a
 * tenant failed), 2 usage error, 3 auth error. `--json` on any command prints machine-readable
 * output only: the result, or `{"success":false,"error":{…}}`, on stdout.
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { interrupt } from "./cli.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerLogin } from "./commands/login.js";
import { registerOrgCreate } from "./commands/org-create.js";
import { registerTenantDestroy } from "./commands/tenant-destroy.js";
import { registerTenantLogs } from "./commands/tenant-logs.js";
import { registerTenantLs } from "./commands/tenant-ls.js";
import { registerTenantRotateKey } from "./commands/tenant-rotate-key.js";
import { registerTenantSpawn } from "./commands/tenant-spawn.js";
import { registerTenantStatus } from "./commands/tenant-status.js";
import { registerUsage } from "./commands/usage.js";
import { errorJson, exitCodeOf, exitCodes } from "./errors.js";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
// Decided before parsing, so that even a bad flag is reported as JSON.
const json = process.argv.includes("--json");

const program = new Command("convergence")
  .description("Spawn, watch and destroy Convergence tenants; read usage; manage organisations.")
  .version(version)
  .option("--json", "machine-readable output only: JSON on stdout")
  .exitOverride() // parse errors are thrown, and mapped to exit code 2 below; subcommands inherit this
  .configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) })
  .showHelpAfterError(json ? false : "(add --help for usage)")
  .addHelpText(
    "after",
    `
Credentials: \`convergence login --url … --token …\` stores them in $XDG_CONFIG_HOME/convergence
(~/.config/convergence); CONVERGENCE_URL and CONVERGENCE_TOKEN override them.
Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 auth error.`,
  );

registerLogin(program);
const tenant = program.command("tenant").description("spawn, list, inspect and destroy tenants");
registerTenantSpawn(tenant);
registerTenantLs(tenant);
registerTenantStatus(tenant);
registerTenantLogs(tenant);
registerTenantDestroy(tenant);
registerTenantRotateKey(tenant);
registerDeploy(program);
registerUsage(program);
const org = program.command("org").description("organisations (platform operator only)");
registerOrgCreate(org);

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
