/** Exit codes, and which failure gets which: 0 ok, 1 the operation failed, 2 usage error, 3 auth error. */
import { ConvergenceError } from "@convergence/sdk";
import { CommanderError } from "commander";

export const exitCodes = { ok: 0, failed: 1, usage: 2, auth: 3 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure the CLI itself detects, with the exit code it means. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError("USAGE", message, exitCodes.usage);

/** API answers that say the input was wrong count as usage errors: the same command cannot succeed. */
const inputErrors = new Set(["BAD_REQUEST", "VALIDATION_FAILED", "MALFORMED_JSON", "UNKNOWN_TEMPLATE"]);

export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof CommanderError) return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  if (err instanceof ConvergenceError) {
    if (err.isAuthError) return exitCodes.auth;
    if (inputErrors.has(err.code)) return exitCodes.usage;
  }
  return exitCodes.failed;
}

/** The error as --json prints it: the API's envelope, plus what the SDK knows. */
export function errorJson(err: unknown): Record<string, unknown> {
  const e = err as Partial<ConvergenceError> & { tenant?: unknown };
  const code = err instanceof CommanderError ? "USAGE" : typeof e.code === "string" ? e.code : "FAILED";
  return {
    success: false,
    error: {
      code,
      message: err instanceof Error ? err.message.replace(/^error: /, "") : String(err),
      ...(e.status ? { status: e.status } : {}),
      ...(e.retryAfter ? { retryAfter: e.retryAfter } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
    },
    ...(e.tenant ? { tenant: e.tenant } : {}),
  };
}
