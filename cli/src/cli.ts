/**
 * What every command works with: the output mode (--json prints machine-readable output only,
 * on stdout; people get text, with progress and hints on stderr), the SDK client built from the
 * login, and a signal that Ctrl-C aborts.
 */
import { Convergence } from "@convergence/sdk";
import type { Command } from "commander";
import { resolveCredentials } from "./config.js";
import { CliError, exitCodes } from "./errors.js";

/** Aborted by Ctrl-C (see main.ts): every call a command makes takes this signal. */
export const interrupt = new AbortController();

/**
 * A commander action: commander passes the positional arguments, the options and the command;
 * the command's function gets the Cli first, then the same arguments.
 */
export function action<A extends unknown[]>(fn: (cli: Cli, ...args: A) => Promise<void>) {
  return (...args: [...A, Command]) => {
    const command = args[args.length - 1] as Command;
    return fn(Cli.of(command, interrupt.signal), ...(args.slice(0, -1) as A));
  };
}

export class Cli {
  private constructor(
    readonly json: boolean,
    readonly signal: AbortSignal,
  ) {}

  static of(command: Command, signal: AbortSignal): Cli {
    return new Cli(Boolean(command.optsWithGlobals().json), signal);
  }

  /** The result: `value` as JSON with --json, otherwise the text for people. */
  result(value: unknown, text: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  }

  /** For people only (progress, hints, retries): stderr, and nothing with --json. */
  note(text: string): void {
    if (!this.json) process.stderr.write(`${text}\n`);
  }

  /** Whether a live, rewritable progress line can be shown. */
  get interactive(): boolean {
    return !this.json && Boolean(process.stderr.isTTY);
  }

  async client(): Promise<Convergence> {
    const { url, token } = await resolveCredentials();
    if (!url || !token) {
      throw new CliError("NOT_LOGGED_IN", "not logged in: run `convergence login --url <API URL> --token <token>` (or set CONVERGENCE_URL and CONVERGENCE_TOKEN)", exitCodes.auth);
    }
    return new Convergence({
      baseUrl: url,
      token,
      retry: { onRetry: ({ delayMs, error }) => this.note(`${error.code}: ${error.message}; retrying in ${Math.ceil(delayMs / 1000)} s`) },
    });
  }
}
