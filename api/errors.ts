/**
 * Every error leaves the API in one JSON shape: {"success":false,"error":{"code","message"}}.
 * Validation failures, malformed JSON, oversized bodies and unknown routes all come through here.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { AppError } from "../shared/errors.js";
import type { HonoEnv } from "./env.js";

export function errorBody(err: AppError) {
  return {
    success: false as const,
    error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
  };
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) return new AppError("MALFORMED_JSON", "request body is not valid JSON");
    if (err.status === 413) return new AppError("PAYLOAD_TOO_LARGE", err.message);
    // Thrown by @hono/zod-openapi before a JSON body is read: a body of another type, or of none.
    if (err.status === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE", "the request body must be JSON, sent with Content-Type: application/json; nothing was done");
    if (err.status === 401) return new AppError("UNAUTHORIZED", err.message || "unauthorized");
    return new AppError(err.status >= 500 ? "INTERNAL" : "BAD_REQUEST", err.message || "bad request");
  }
  if (err instanceof z.ZodError) return validationError(err);
  if (isDependencyDown(err)) {
    return new AppError("DEPENDENCY_UNAVAILABLE", "a backing service (Postgres or Redis) is unavailable or too slow; try again shortly", undefined, { "Retry-After": "5" });
  }
  // Postgres refused a value as data (out of range, not storable): the input was bad, whatever let it through.
  if (/^22[0-9A-Z]{3}$/.test(sqlState(err) ?? "")) return new AppError("VALIDATION_FAILED", "a value in the request is out of range or cannot be stored");
  return new AppError("INTERNAL", "internal error");
}

export function validationError(err: z.ZodError): AppError {
  const issues = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return new AppError("VALIDATION_FAILED", `invalid request: ${summary}`, { issues });
}

const sqlState = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.cause?.code === "string" ? e.cause.code : e?.code;
  return typeof code === "string" ? code : undefined;
};

/**
 * Connection failures, timeouts (ours, and Postgres's: statement_timeout 57014, lock_timeout
 * 55P03, idle_in_transaction_session_timeout 25P03), a Postgres shutting down or out of connections.
 */
function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  const code = e?.code ?? e?.cause?.code;
  return (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "57P01", "57P03", "57014", "55P03", "25P03", "53300"].includes(
      code ?? sqlState(err) ?? "",
    ) || /Connection is closed|connect ECONNREFUSED|Reached the max retries/i.test(e?.message ?? "")
  );
}

export function onError(err: Error, c: Context<HonoEnv>) {
  const appErr = toAppError(err);
  const log = c.get("log");
  if (appErr.status >= 500) log?.error({ err }, "request failed");
  // Validation should have caught it: visible in the logs, so the schema gets the bound it lacks.
  else if (sqlState(err)?.startsWith("22")) log?.warn({ err }, "Postgres refused a value from the request");
  for (const [k, v] of Object.entries(appErr.headers ?? {})) c.header(k, v);
  return c.json(errorBody(appErr), appErr.status);
}
