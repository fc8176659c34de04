/**
 * Every failure the SDK reports is a ConvergenceError: the API's own error `code`, the HTTP
 * `status` and `retryAfter` when the API answered, or one of the SDK's codes when it did not
 * (no connection, a wait that ran out, a tenant that failed). Aborting a call rejects with the
 * signal's reason, as fetch does.
 */
import type { ErrorCode, Tenant } from "./types.js";

/** Codes of failures that are not an API error answer. */
export type SdkErrorCode = "CONNECTION_FAILED" | "INVALID_RESPONSE" | "WAIT_TIMEOUT" | "TENANT_FAILED" | "TENANT_DESTROYED" | "WEBHOOK_VERIFICATION_FAILED" | "DEPLOYMENT_FAILED";

export class ConvergenceError extends Error {
  override readonly name: string = "ConvergenceError";
  /** The API's error code (e.g. `RATE_LIMITED`, `NOT_FOUND`), or the SDK's own. */
  readonly code: ErrorCode | SdkErrorCode;
  /** The HTTP status, or null when no answer came. */
  readonly status: number | null;
  /** Seconds the API asked to wait before trying again (429, 503), or null. */
  readonly retryAfter: number | null;
  /** Structured context from the API, e.g. the invalid fields or the limit reached. */
  readonly details: unknown;
  /** The API's X-Request-Id for this call, to quote when reporting a problem. */
  readonly requestId: string | null;

  constructor(
    code: ErrorCode | SdkErrorCode,
    message: string,
    extra: { status?: number | null; retryAfter?: number | null; details?: unknown; requestId?: string | null; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.status = extra.status ?? null;
    this.retryAfter = extra.retryAfter ?? null;
    this.details = extra.details;
    this.requestId = extra.requestId ?? null;
  }

  /** 401 or 403: the credential is missing, wrong, revoked, or not allowed to do this. */
  get isAuthError(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** A tenant the caller was waiting on ended `failed`; `tenant.error` says why. */
export class TenantFailedError extends ConvergenceError {
  override readonly name = "TenantFailedError";
  constructor(readonly tenant: Tenant) {
    super("TENANT_FAILED", `tenant ${tenant.envId} (${tenant.name}) failed: ${tenant.error ?? "no reason recorded"}`);
  }
}

/** A webhook whose signature, timestamp or body does not check out: do not act on it. */
export class WebhookVerificationError extends ConvergenceError {
  override readonly name = "WebhookVerificationError";
  constructor(message: string, cause?: unknown) {
    super("WEBHOOK_VERIFICATION_FAILED", message, { cause });
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The ConvergenceError for an error answer, from its `{"success":false,"error":{…}}` body when it has one. */
export function errorFromResponse(response: Response, body: unknown): ConvergenceError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? (error.code as ErrorCode) : response.status >= 500 ? "INTERNAL" : "BAD_REQUEST";
  const message = typeof error?.message === "string" ? error.message : `HTTP ${response.status} ${response.statusText}`.trim();
  return new ConvergenceError(code, message, {
    status: response.status,
    retryAfter: parseRetryAfter(response.headers.get("retry-after")),
    details: error?.details,
    requestId: response.headers.get("x-request-id"),
  });
}
