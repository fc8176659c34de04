/**
 * Every failure the SDK reports is a ConvergenceError: the API's own error `code`, the HTTP
 * `status` and `retryAfter` when the API answered, or one of the SDK's codes when it did not
 * (no connection, a wait that ran out, a tenant that failed). A subclass per kind of failure lets
 * a caller tell them apart with `instanceof` (AuthError, NotFoundError, ConflictError,
 * RateLimitedError, ValidationError, …). Aborting a call rejects with the signal's reason, as
 * fetch does; a call that outlives the client's `timeoutMs` rejects with RequestTimeoutError.
 */
import type { ErrorCode, Tenant } from "./types.js";

/** Codes of failures that are not an API error answer. */
export type SdkErrorCode =
  | "CONNECTION_FAILED"
  | "REQUEST_TIMEOUT"
  | "INVALID_RESPONSE"
  | "WAIT_TIMEOUT"
  | "TENANT_FAILED"
  | "TENANT_DESTROYED"
  | "WEBHOOK_VERIFICATION_FAILED"
  | "DEPLOYMENT_FAILED";

type ErrorExtra = { status?: number | null; retryAfter?: number | null; details?: unknown; requestId?: string | null; cause?: unknown };

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

  constructor(code: ErrorCode | SdkErrorCode, message: string, extra: ErrorExtra = {}) {
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

/** 401 or 403: the credential is missing, wrong, expired or revoked, or lacks the scope. */
export class AuthError extends ConvergenceError {
  override readonly name: string = "AuthError";
}

/** 400 (and 415): the input was refused; `details` names the fields. Repeating the call cannot succeed. */
export class ValidationError extends ConvergenceError {
  override readonly name: string = "ValidationError";
}

/** 404: no such tenant (or not one this credential may see). */
export class NotFoundError extends ConvergenceError {
  override readonly name: string = "NotFoundError";
}

/** 409: the call conflicts with the current state (e.g. an Idempotency-Key reused with another body). */
export class ConflictError extends ConvergenceError {
  override readonly name: string = "ConflictError";
}

/** 413: the body is larger than the API accepts. */
export class PayloadTooLargeError extends ConvergenceError {
  override readonly name: string = "PayloadTooLargeError";
}

/** 429: a rate or a limit of the organisation was reached (after the SDK's own retries); `retryAfter` says when to try again. */
export class RateLimitedError extends ConvergenceError {
  override readonly name: string = "RateLimitedError";
}

/** 503: a dependency of the API is down or the host is out of capacity (after the SDK's own retries). */
export class ServiceUnavailableError extends ConvergenceError {
  override readonly name: string = "ServiceUnavailableError";
}

/** Any other 5xx answer: the API failed; quote `requestId` when reporting it. */
export class ServerError extends ConvergenceError {
  override readonly name: string = "ServerError";
}

/** No answer: the API could not be reached (refused, reset, DNS). */
export class ConnectionError extends ConvergenceError {
  override readonly name: string = "ConnectionError";
  constructor(message: string, extra: ErrorExtra = {}) {
    super("CONNECTION_FAILED", message, extra);
  }
}

/** No answer within the client's `timeoutMs` (per attempt). */
export class RequestTimeoutError extends ConvergenceError {
  override readonly name: string = "RequestTimeoutError";
  constructor(message: string, extra: ErrorExtra = {}) {
    super("REQUEST_TIMEOUT", message, extra);
  }
}

/** A wait (`wait`, `waitUntilReady`, `destroy({ wait })`) ran out of time before the tenant got there. */
export class WaitTimeoutError extends ConvergenceError {
  override readonly name: string = "WaitTimeoutError";
  constructor(message: string) {
    super("WAIT_TIMEOUT", message);
  }
}

/** A tenant the caller was waiting on ended `failed`; `tenant.error` says why. */
export class TenantFailedError extends ConvergenceError {
  override readonly name: string = "TenantFailedError";
  constructor(readonly tenant: Tenant) {
    super("TENANT_FAILED", `tenant ${tenant.envId} (${tenant.name}) failed: ${tenant.error ?? "no reason recorded"}`);
  }
}

/** A webhook whose signature, timestamp or body does not check out: do not act on it. */
export class WebhookVerificationError extends ConvergenceError {
  override readonly name: string = "WebhookVerificationError";
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
  const Class = errorClassFor(response.status);
  return new Class(code, message, {
    status: response.status,
    retryAfter: parseRetryAfter(response.headers.get("retry-after")),
    details: error?.details,
    requestId: response.headers.get("x-request-id"),
  });
}

/** Which class an error answer of this HTTP status is. */
export function errorClassFor(status: number): typeof ConvergenceError {
  switch (true) {
    case status === 401 || status === 403:
      return AuthError;
    case status === 404:
      return NotFoundError;
    case status === 409:
      return ConflictError;
    case status === 413:
      return PayloadTooLargeError;
    case status === 429:
      return RateLimitedError;
    case status === 503:
      return ServiceUnavailableError;
    case status >= 500:
      return ServerError;
    case status >= 400:
      return ValidationError;
    default:
      return ConvergenceError;
  }
}
