/**
 * `convergence tenant spawn <name> [--template node/express] [--wait] [--webhook-url …]`. With
 * --wait, each state is shown as it happens (from the tenant's event stream), then the port, the
 * URL and the API key, which is shown this once.
 */
import { TenantFailedError, type Convergence, type Tenant, type TenantEvent, type SpawnedTenant } from "@convergence/sdk";
import type { Command } from "commander";
import { positiveInt, template, url } from "../args.js";
import { action, type Cli } from "../cli.js";
import { CliError, exitCodes } from "../errors.js";
import { seconds } from "../format.js";
import { paintStatus, Spinner } from "../tty.js";

interface SpawnFlags {
  template: { language: string; framework: string };
  wait?: boolean;
  timeout: number;
  webhookUrl?: string;
  idempotencyKey?: string;
}

export function registerTenantSpawn(tenant: Command) {
  tenant
    .command("spawn")
    .description("start a tenant app from a starter template")
    .argument("<name>", "a DNS label: lowercase letters, digits and '-'")
    .option("-t, --template <language/framework>", "the starter template", template, { language: "node", framework: "express" })
    .option("-w, --wait", "wait until it is ready, showing each state as it happens")
    .option("--timeout <seconds>", "with --wait: how long to wait", positiveInt(3600), 180)
    .option("--webhook-url <url>", "receives tenant.ready, tenant.failed, … (Standard Webhooks)", url)
    .option("--idempotency-key <key>", "repeating the command with the same key answers the same tenant")
    .action(
      action(async (cli, name: string, flags: SpawnFlags) => {
        const cvg = await cli.client();
        const started = Date.now();
        const spawned = await cvg.tenants.spawn(
          { name, ...flags.template, ...(flags.webhookUrl ? { webhookUrl: flags.webhookUrl } : {}) },
          { idempotencyKey: flags.idempotencyKey, signal: cli.signal },
        );
        if (!flags.wait) {
          cli.result(spawned, () => describe(spawned, `Accepted ${spawned.name} (${spawned.tenantId}), ${spawned.status}`));
          cli.note(`Follow it with: convergence tenant status ${spawned.envId}`);
          return;
        }
        const final = await followUntilSettled(cli, cvg, spawned, started, flags.timeout * 1000);
        if (final.status !== "ready") throw new TenantFailedError(final);
        const ready = { ...final, apiKey: spawned.apiKey };
        cli.result(ready, () => describe(ready, `${cli.out.green("✓")} ${ready.name} is ready (${ready.tenantId}, ${seconds(Date.now() - started)})`));
      }),
    );
}

/** Shows each state change until the tenant is ready, failed or destroyed; returns it as it then is. */
async function followUntilSettled(cli: Cli, cvg: Convergence, spawned: SpawnedTenant, started: number, timeoutMs: number): Promise<Tenant> {
  const progress = new Progress(cli, `${spawned.name} (${spawned.tenantId})`, started);
  const signal = AbortSignal.any([cli.signal, AbortSignal.timeout(timeoutMs)]);
  try {
    for await (const event of cvg.tenants.events(spawned.envId, { signal })) {
      progress.show(event);
      if (event.to === "ready" || event.to === "failed" || event.to === "destroyed") break;
    }
  } catch (err) {
    if (signal.aborted && !cli.signal.aborted) {
      throw new CliError("WAIT_TIMEOUT", `${spawned.tenantId} did not become ready within ${seconds(timeoutMs)}; see: convergence tenant status ${spawned.envId}`, exitCodes.failed);
    }
    throw err;
  } finally {
    progress.end();
  }
  return cvg.tenants.get(spawned.envId, { signal: cli.signal });
}

/**
 * On a terminal, one spinner line redrawn in place (`⠹ name: pending → provisioning  2.1 s`); otherwise
 * one line per state (stderr both, nothing with --json).
 */
class Progress {
  private readonly states: string[] = [];
  private readonly spinner: Spinner;

  constructor(
    private readonly cli: Cli,
    private readonly label: string,
    private readonly started: number,
  ) {
    this.spinner = new Spinner(`${label}: waiting`, cli.interactive);
  }

  show(event: TenantEvent) {
    this.states.push(event.to);
    if (this.cli.interactive) this.spinner.update(`${this.label}: ${this.states.map((s) => paintStatus(this.cli.err, s)).join(" → ")}`);
    else this.cli.note(`${this.label}: ${event.to.padEnd(12)} ${seconds(Date.now() - this.started).padStart(7)}  ${event.reason}`);
  }

  end() {
    this.spinner.stop();
    if (this.cli.interactive && this.states.length) this.cli.note(`${this.label}: ${this.states.map((s) => paintStatus(this.cli.err, s)).join(" → ")}  ${seconds(Date.now() - this.started)}`);
  }
}

function describe(t: SpawnedTenant, headline: string): string {
  return [
    headline,
    `  port  ${t.port ?? "-"}`,
    `  url   ${t.url ?? "-"}`,
    ...(t.apiKey
      ? [`  key   ${t.apiKey}`, "        shown only now: store it (convergence tenant rotate-key makes a new one)"]
      : ["  key   not shown: it was rotated since this spawn (convergence tenant rotate-key makes a new one)"]),
  ].join("\n");
}
