/**
 * The request core under every resource: a typed client for the API's paths (openapi-fetch over
 * the generated types) whose fetch bounds each attempt by a timeout, retries 429 and 503 answers
 * with back-off, honouring Retry-After, for a bounded number of attempts, and turns error answers
 * into ConvergenceError (one subclass per kind, see errors.ts).
 */
import createClient, { type Client } from "openapi-fetch";
import { ConnectionError, ConvergenceError, errorFromResponse, RequestTimeoutError } from "./errors.js";
import type { paths } from "./generated/openapi.js";
import { VERSION } from "./version.js";

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
  /**
   * How long one attempt may take, answer body included (default 30 000 ms), before it fails
   * with RequestTimeoutError. A held status request (`wait`) gets its hold time on top; a stream
   * (events, followed logs) only until its headers arrive. 0 turns it off.
   */
  timeoutMs?: number;
  /** Retrying 429/503 answers (and connection failures of calls safe to repeat); `false` turns it off. */
  retry?: RetryOptions | false;
  /** A fetch to use instead of the global one. */
  fetch?: (input: Request) => Promise<Response>;
  /** Extra headers on every call (a `User-Agent` here is put before the SDK's own). */
  headers?: Record<string, string>;
}

export type ApiClient = Client<paths>;

/** What every resource holds: the typed client and the credential it sends, which a token rotation replaces. */
export interface Transport {
  api: ApiClient;
  credential: { current: string };
}

export const USER_AGENT = `convergence-sdk/${VERSION}`;
export const DEFAULT_TIMEOUT_MS = 30_000;
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

export function createTransport(options: TransportOptions): Transport {
  const retry = options.retry === false ? { ...defaults, maxAttempts: 1 } : { ...defaults, ...options.retry };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new TypeError(`timeoutMs must be a number of milliseconds (0: no timeout), got ${timeoutMs}`);
  const credential = { current: options.credential };
  const { "User-Agent": agent, "user-agent": agentLower, ...headers } = options.headers ?? {};
  const userAgent = [agent ?? agentLower, USER_AGENT].filter(Boolean).join(" ");
  const fetchOnce = options.fetch ?? ((req: Request) => globalThis.fetch(req));
  const authenticated = (request: Request) => {
    request.headers.set("Authorization", `Bearer ${credential.current}`);
    request.headers.set("User-Agent", userAgent);
    return fetchOnce(request);
  };
  const api = createClient<paths>({ baseUrl: apiRoot(options.baseUrl), headers, fetch: retryingFetch(timedFetch(authenticated, timeoutMs), retry) });
  return { api, credential };
}

/** For callers that need only the typed client. */
export function createApiClient(options: TransportOptions): ApiClient {
  return createTransport(options).api;
}

/**
 * One attempt, bounded by `timeoutMs`: until the whole body is read for an ordinary answer,
 * until the headers for a stream; a held status request (`?wait=…&timeout=N`) gets N s more.
 */
function timedFetch(fetchOnce: (req: Request) => Promise<Response>, timeoutMs: number) {
  if (timeoutMs === 0) return fetchOnce;
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const held = url.searchParams.has("wait") ? Number(url.searchParams.get("timeout") ?? 0) * 1000 : 0;
    const limit = timeoutMs + (Number.isFinite(held) ? held : 0);
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new RequestTimeoutError(`${request.method} ${url.pathname} got no answer within ${limit} ms`)), limit);
    const signal = AbortSignal.any([request.signal, timer.signal]);
    try {
      const response = await fetchOnce(new Request(request, { signal }));
      if (response.headers.get("content-type")?.startsWith("text/event-stream") || !response.body) return response;
      // Read here, so that a body that stalls is bounded too; what openapi-fetch parses is a copy in memory.
      const body = await response.arrayBuffer();
      const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      Object.defineProperty(copy, "url", { value: response.url }); // what error messages name
      return copy;
    } catch (err) {
      if (timer.signal.aborted && !request.signal.aborted) throw timer.signal.reason;
      throw err;
    } finally {
      clearTimeout(timeout);
    }
  };
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
        const error = err instanceof RequestTimeoutError ? err : connectionError(request, err);
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
  return new ConnectionError(`cannot reach ${new URL(request.url).origin}: ${why}`, { cause: err });
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
