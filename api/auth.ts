/**
 * Authentication. The management API takes either credential through one middleware:
 *
 *   Authorization: Bearer cvg_org_…  organisation token: looked up by hash (cached in memory until rotated); may do everything
 *   Authorization: Bearer eyJ…       access token (JWT): verified in memory; its scopes and tenants apply
 *   Cookie: cvg_session=eyJ…         the dashboard's session: an access token in a cookie (api/session-cookies.ts)
 *
 * Both become a Principal (shared/auth/principal.ts); what each operation asks of it is declared
 * with the route (api/access.ts). Convergence calls take a tenant key instead. Every failed
 * attempt that could be a guess is counted per client address and credential (shared/auth/failed-auth.ts).
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { looksLikeAccessToken } from "../shared/auth/access-tokens.js";
import { organisationPrincipal, type Principal } from "../shared/auth/principal.js";
import { isSessionEnded } from "../shared/auth/sessions.js";
import { AppError } from "../shared/errors.js";
import { authenticateTenantKey } from "../shared/tenant-keys.js";
import type { ApiContext, HonoEnv } from "./env.js";
import { forwardedClientAddress } from "./forwarded.js";
import { requestHeader } from "./node-http.js";
import { assertCookieRequest, sessionCookie } from "./session-cookies.js";

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

/** Where a credential came from. */
export type CredentialSource = "authorization-header" | "session-cookie";

/**
 * The one place a management request's credential is read: the Authorization header, or else the
 * dashboard's session cookie, which may hold only an access token (an organisation token never
 * goes in a cookie). A cookie-authenticated request is checked further once its token is
 * verified (assertCookieRequest: a session's token, and the CSRF token on unsafe methods).
 * Everything else (verification, scopes, tenant limits, failure counting) is the same whatever the source.
 */
function readCredential(c: Context<HonoEnv>): { value: string; source: CredentialSource } | null {
  const token = bearerToken(requestHeader(c, "authorization"));
  if (token) return { value: token, source: "authorization-header" };
  const cookie = sessionCookie(c);
  return cookie && looksLikeAccessToken(cookie) ? { value: cookie, source: "session-cookie" } : null;
}

const challenge = (error?: "invalid_token") => ({
  "WWW-Authenticate": `Bearer realm="convergence"${error ? `, error="${error}"` : ""}`,
});

type Attempt = { ok: true; principal: Principal } | { ok: false; message: string; suspicious: boolean };

async function authenticateCredential(ctx: ApiContext, credential: string): Promise<Attempt> {
  if (looksLikeAccessToken(credential)) return ctx.auth.accessTokens.verify(credential);
  const org = await ctx.auth.orgTokens.authenticate(credential);
  return org ? { ok: true, principal: organisationPrincipal(org) } : { ok: false, message: "invalid organisation token", suspicious: true };
}

/** Either credential → `principal` (and `org`) on the context, or 401 (429 when this credential keeps failing from this client). */
export const authenticate = createMiddleware<HonoEnv>(async (c, next) => {
  const ctx = c.get("ctx");
  const credential = readCredential(c);
  if (!credential) {
    throw new AppError("UNAUTHORIZED", "missing credential: send Authorization: Bearer <organisation token or access token>, or sign in to the dashboard", undefined, challenge());
  }
  const client = clientAddress(c);
  ctx.auth.failures.assertAllowed(client, credential.value);
  const attempt = await authenticateCredential(ctx, credential.value);
  if (!attempt.ok) {
    const tooMany = attempt.suspicious ? await ctx.auth.failures.recordFailure(client, credential.value) : null;
    throw tooMany ?? new AppError("UNAUTHORIZED", attempt.message, undefined, challenge("invalid_token"));
  }
  const { principal } = attempt;
  if (principal.session && (await isSessionEnded(ctx, principal.session))) {
    throw new AppError("UNAUTHORIZED", "this dashboard session was signed out; sign in again", undefined, challenge("invalid_token"));
  }
  if (credential.source === "session-cookie") assertCookieRequest(c, principal);
  c.set("principal", principal);
  c.set("org", { id: principal.orgId });
  c.get("log").bind({ orgId: principal.orgId, credential: principal.credential });
  await next();
});

/** Tenant-key auth for convergence calls: `Authorization: Bearer sk_tenant_…` or `X-API-Key`. */
export const requireTenantKey = createMiddleware<HonoEnv>(async (c, next) => {
  const ctx = c.get("ctx");
  const key = bearerToken(requestHeader(c, "authorization")) ?? requestHeader(c, "x-api-key")?.trim();
  if (!key) throw new AppError("UNAUTHORIZED", "missing tenant API key: send Authorization: Bearer sk_tenant_… or X-API-Key");
  const client = clientAddress(c);
  ctx.auth.failures.assertAllowed(client, key);
  const tenant = await authenticateTenantKey(ctx.db, key, ctx.tenantKeys).catch(async (err: unknown) => {
    if (err instanceof AppError && err.code === "UNAUTHORIZED") throw (await ctx.auth.failures.recordFailure(client, key)) ?? err;
    throw err;
  });
  c.set("tenant", tenant);
  c.get("log").bind({ envId: tenant.envId, orgId: tenant.orgId });
  await next();
});

/**
 * The client's address, for counting failed authentications: the peer's, or, behind proxies in
 * TRUSTED_PROXIES, the one their X-Forwarded-For names (api/forwarded.ts).
 */
export function clientAddress(c: Context): string {
  return forwardedClientAddress(c as Context<HonoEnv>) ?? "unknown";
}

/** `org_id` in a query must name the credential's own organisation. */
export function assertOwnOrganisation(org: { id: number }, orgId: number | undefined): void {
  if (orgId !== undefined && orgId !== org.id) {
    throw new AppError("FORBIDDEN", `this token belongs to organisation ${org.id}, not ${orgId}`);
  }
}
