/**
 * One error type for everything a caller can be told, with one mapping from code to HTTP
 * status. Domain verbs throw AppError; the API's onError turns it into the JSON envelope.
 */
export type ErrorCode =
  | "BAD_REQUEST"
  | "VALIDATION_FAILED"
  | "MALFORMED_JSON"
  | "UNKNOWN_TEMPLATE"
  | "INVALID_ARCHIVE"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "INSUFFICIENT_SCOPE"
  | "CSRF_FAILED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INVALID_STATE"
  | "DEPLOY_IN_PROGRESS"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  | "QUOTA_EXCEEDED"
  | "TENANT_LIMIT_REACHED"
  | "CONCURRENCY_LIMIT_REACHED"
  | "TOO_MANY_AUTH_FAILURES"
  | "NO_PORTS_AVAILABLE"
  | "DEPENDENCY_UNAVAILABLE"
  | "CAPACITY_EXHAUSTED"
  | "UPSTREAM_ERROR"
  | "UPSTREAM_TIMEOUT"
  | "INTERNAL";

export function statusOf(code: ErrorCode): 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503 | 504 {
  switch (code) {
    case "BAD_REQUEST":
    case "VALIDATION_FAILED":
    case "MALFORMED_JSON":
    case "UNKNOWN_TEMPLATE":
    case "INVALID_ARCHIVE":
      return 400;
    case "UNAUTHORIZED":
      return 401;
    case "FORBIDDEN":
    case "INSUFFICIENT_SCOPE":
    case "CSRF_FAILED":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "CONFLICT":
    case "IDEMPOTENCY_KEY_REUSED":
    case "INVALID_STATE":
    case "DEPLOY_IN_PROGRESS":
      return 409;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "UNSUPPORTED_MEDIA_TYPE":
      return 415;
    case "RATE_LIMITED":
    case "QUOTA_EXCEEDED":
    case "TENANT_LIMIT_REACHED":
    case "CONCURRENCY_LIMIT_REACHED":
    case "TOO_MANY_AUTH_FAILURES":
      return 429;
    case "INTERNAL":
      return 500;
    case "UPSTREAM_ERROR":
      return 502;
    case "NO_PORTS_AVAILABLE":
    case "DEPENDENCY_UNAVAILABLE":
    case "CAPACITY_EXHAUSTED":
      return 503;
    case "UPSTREAM_TIMEOUT":
      return 504;
  }
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status() {
    return statusOf(this.code);
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
