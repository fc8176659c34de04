/**
 * The dashboard's only way to the server: the public API, typed by the same OpenAPI document the
 * SDK is generated from, authenticated by the session cookie (the browser sends it; this script
 * never sees the token) plus the CSRF token on requests that change something.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "@convergence/sdk";

export type Tenant = components["schemas"]["Tenant"];
export type TenantWithKey = components["schemas"]["TenantWithKey"];
/** Spawn's answer: the key is missing only on a replay after the key was rotated since. */
export type SpawnedTenant = components["schemas"]["SpawnedTenant"];
export type TenantStatus = components["schemas"]["TenantStatus"];
export type Session = components["schemas"]["Session"];
export type Template = components["schemas"]["Template"];
export type TenantStatusEvent = components["schemas"]["TenantStatusEvent"];
export type Deployment = components["schemas"]["Deployment"];
export type DeploymentStatus = Deployment["status"];
export type WebhookEvent = paths["/api/v1/tenant/{id}/webhooks"]["get"]["responses"][200]["content"]["application/json"]["events"][number];
export type AccessTokenScope = NonNullable<components["schemas"]["AccessTokenRequest"]["scopes"]>[number];
export type UsageReport = paths["/api/v1/usage"]["get"]["responses"][200]["content"]["application/json"];

/** An error answer from the API, in its envelope: `{"success":false,"error":{"code","message"}}`. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export const CSRF_COOKIE = "cvg_csrf";

/** The session's CSRF token, from its script-readable cookie; null when there is no session. */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return null;
}

const sessionEndedListeners = new Set<(reason: string) => void>();
/** Called when the API says the session is gone (expired, signed out elsewhere, organisation token rotated). */
export function onSessionEnded(fn: (reason: string) => void): () => void {
  sessionEndedListeners.add(fn);
  return () => sessionEndedListeners.delete(fn);
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      const token = csrfToken();
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
};

/**
 * A request that never got an answer is tried again, twice, if it only reads: browsers abort
 * requests in flight when the machine's network changes (on a Docker host that is every time a
 * container starts or goes), which is no reason to show an error.
 */
async function fetchWithRetry(request: Request): Promise<Response> {
  const safe = request.method === "GET" || request.method === "HEAD";
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(safe ? request.clone() : request);
    } catch (err) {
      if (!safe || attempt >= 3 || request.signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin", fetch: fetchWithRetry });
api.use(csrf);

/**
 * The body of a successful answer, or an ApiError with the API's code and message. A 401 on a
 * cookie-authenticated call means the session is over: listeners show the sign-in form.
 */
export async function call<R extends { data?: unknown; error?: unknown; response: Response }>(request: Promise<R>, opts: { signIn?: boolean } = {}): Promise<NonNullable<R["data"]>> {
  let result: R;
  try {
    result = await request;
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError("CONNECTION_FAILED", "cannot reach the API; is it running?", null);
  }
  const { data, error, response } = result;
  if (response.ok && data !== undefined) return data as NonNullable<R["data"]>;
  const envelope = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
  const err = new ApiError(envelope?.code ?? "HTTP_ERROR", envelope?.message ?? `HTTP ${response.status}`, response.status);
  if (response.status === 401 && !opts.signIn) for (const fn of sessionEndedListeners) fn(err.message);
  throw err;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
