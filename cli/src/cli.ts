/**
 * What every command works with: the output mode (--json prints machine-readable output only,
 * on stdout; people get text, with progress and hints on stderr), the SDK client built from the
 * login, and a signal that Ctrl-C aborts.
 */
import { Convergence } from "@convergence/sdk";
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { resolveCredentials, type Resolved, UnknownContextError } from "./config.js";
import { CliError, exitCodes } from "./errors.js";
import { colours, type Colours, Spinner } from "./tty.js";

export const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

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
  /** Colours for stdout (the result) and stderr (notes); plain when not a terminal, with NO_COLOR, or with --json. */
  readonly out: Colours;
  readonly err: Colours;

  private constructor(
    readonly json: boolean,
    readonly signal: AbortSignal,
    /** `--context <name>`, when given. */
    readonly contextFlag: string | undefined,
  ) {
    this.out = colours(process.stdout, json);
    this.err = colours(process.stderr, json);
  }

  static of(command: Command, signal: AbortSignal): Cli {
    const globals = command.optsWithGlobals() as { json?: boolean; context?: string };
    return new Cli(Boolean(globals.json), signal, globals.context);
  }

  /** The result: `value` as JSON with --json, otherwise the text for people. */
  result(value: unknown, text: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  }

  /** For people only (progress, hints, retries): stderr, and nothing with --json. */
  note(text: string): void {
    // On a terminal, first clear a spinner's line, which redraws itself below the note.
    if (!this.json) process.stderr.write(`${this.interactive ? "\r\x1b[K" : ""}${text}\n`);
  }

  /** Whether a live, rewritable progress line can be shown. */
  get interactive(): boolean {
    return !this.json && Boolean(process.stderr.isTTY);
  }

  /** A spinner on stderr while `work` runs (a terminal only, never with --json). */
  async spin<T>(text: string, work: (spinner: Spinner) => Promise<T>): Promise<T> {
    const spinner = new Spinner(text, this.interactive);
    try {
      return await work(spinner);
    } finally {
      spinner.stop();
    }
  }

  /** The URL and token this command uses, and where they came from. */
  async credentials(): Promise<Resolved> {
    try {
      return await resolveCredentials(this.contextFlag);
    } catch (err) {
      if (err instanceof UnknownContextError) throw new CliError("UNKNOWN_CONTEXT", err.message, exitCodes.usage);
      throw err;
    }
  }

  async client(): Promise<Convergence> {
    const { url, token, context } = await this.credentials();
    if (!url || !token) {
      const which = context ?? this.contextFlag;
      throw new CliError(
        "NOT_LOGGED_IN",
        `not logged in${which ? ` (context ${which})` : ""}: run \`convergence login --url <API URL>\` (or set CONVERGENCE_URL and CONVERGENCE_TOKEN)`,
        exitCodes.auth,
      );
    }
    return this.clientFor(url, token);
  }

  /** A client for `url` with `token`, telling a person (on stderr) when a call is retried. */
  clientFor(url: string, token: string, maxAttempts?: number): Convergence {
    return new Convergence({
      baseUrl: url,
      token,
      headers: { "User-Agent": `convergence-cli/${version}` },
      retry: { maxAttempts, onRetry: ({ delayMs, error }) => this.note(`${error.code}: ${error.message}; retrying in ${Math.ceil(delayMs / 1000)} s`) },
    });
  }
}
