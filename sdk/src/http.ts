/**
 * The request core under every resource: a typed client for the API's paths (openapi-fetch over
 * the generated types) whose fetch retries 429 and 503 answers with back-off, honouring
 * Retry-After, for a bounded number of attempts, and turns error answers into ConvergenceError.
 */
import createClient, { type Client } from "openapi-fetch";
import { ConvergenceError, errorFromResponse } from "./errors.js";
import type { paths } from "./generated/openapi.js";

export interface RetryOptions {
  /** Attempts in all, the first one included (default 3); 1 never retries. */
  maxAttempts?: number;
  /** Back-off before the first retry when the answer names no Retry-After (default 500 ms); doubles each time, with jitter. */
  baseDelayMs?: number;
  /** The longest wait before a retry (default 60 000 ms); an answer asking for longer is thrown at once, with its `retryAfter`. */
  maxDelayMs?: number;
  /** Called before each wait, e.g. to tell a person why nothing happens for a while. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** How long the SDK waits before the next one. */
  delayMs: number;
  error: ConvergenceError;
  method: string;
  url: string;
}

export interface TransportOptions {
  /** Where the API is, e.g. `http://localhost:3000` (a trailing `/api/v1`, as tenants get it, is accepted too). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`. */
  credential: string;
  /** Retrying 429/503 answers (and connection failures of calls safe to repeat); `false` turns it off. */
  retry?: RetryOptions | false;
  /** A fetch to use instead of the global one. */
  fetch?: (input: Request) => Promise<Response>;
  /** Extra headers on every call. */
  headers?: Record<string, string>;
}

export type ApiClient = Client<paths>;

const defaults = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 60_000 };

/** `http://host:3000/api/v1/` → `http://host:3000`: paths in the API's document start with /api/v1. */
export function apiRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`baseUrl must be http(s), got ${url.protocol}`);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.origin}${path}`;
}

export function createApiClient(options: TransportOptions): ApiClient {
  const retry = options.retry === false ? { ...defaults, maxAttempts: 1 } : { ...defaults, ...options.retry };
  return createClient<paths>({
    baseUrl: apiRoot(options.baseUrl),
    headers: { ...options.headers, Authorization: `Bearer ${options.credential}` },
    fetch: retryingFetch(options.fetch ?? ((req) => globalThis.fetch(req)), retry),
  });
}

type Retry = typeof defaults & Pick<RetryOptions, "onRetry">;

function retryingFetch(fetchOnce: (req: Request) => Promise<Response>, retry: Retry) {
  return async (request: Request): Promise<Response> => {
    // A connection failure may hide a request that was done; repeat only what is safe to repeat.
    const repeatable = request.method === "GET" || request.method === "DELETE" || request.headers.has("idempotency-key");
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.maxAttempts;
      let response: Response;
      try {
        response = await fetchOnce(last ? request : request.clone());
      } catch (err) {
        if (request.signal.aborted) throw request.signal.reason ?? err;
        const error = connectionError(request, err);
        if (last || !repeatable) throw error;
        await pause(retry, { attempt, delayMs: backoff(retry, attempt), error, method: request.method, url: request.url }, request.signal);
        continue;
      }
      if (last || (response.status !== 429 && response.status !== 503)) return response;
      const error = errorFromResponse(
        response,
        await response
          .clone()
          .json()
          .catch(() => null),
      );
      const delayMs = error.retryAfter !== null ? error.retryAfter * 1000 : backoff(retry, attempt);
      if (delayMs > retry.maxDelayMs) return response;
      await response.body?.cancel();
      await pause(retry, { attempt, delayMs, error, method: request.method, url: request.url }, request.signal);
    }
  };
}

function connectionError(request: Request, err: unknown): ConvergenceError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new ConvergenceError("CONNECTION_FAILED", `cannot reach ${new URL(request.url).origin}: ${why}`, { cause: err });
}

/** Exponential back-off with jitter: half of the step fixed, half random, so clients spread out. */
function backoff(retry: Retry, attempt: number): number {
  const step = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (Math.random() * step) / 2);
}

async function pause(retry: Retry, info: RetryInfo, signal: AbortSignal): Promise<void> {
  retry.onRetry?.(info);
  await sleep(info.delayMs, signal);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The body of a successful answer; an error answer becomes a ConvergenceError. */
export async function unwrap<R extends { data?: unknown; error?: unknown; response: Response }>(call: Promise<R>): Promise<NonNullable<R["data"]>> {
  const { data, error, response } = await call;
  if (!response.ok) throw errorFromResponse(response, error);
  if (data === undefined || data === null) {
    throw new ConvergenceError("INVALID_RESPONSE", `${response.url} answered HTTP ${response.status} without a body`, { status: response.status });
  }
  return data as NonNullable<R["data"]>;
}
