/**
 * What each management operation asks of the caller, declared with its route:
 *
 *   createRoute({ …, ...access({ scope: "tenants:read" }) })
 *
 * `access()` gives the route its OpenAPI `security` (either credential; the scope is in
 * `x-required-scope`) and the middleware that enforces the policy, after `authenticate`:
 *
 * - an organisation token may do everything;
 * - an access token needs the operation's scope (403 INSUFFICIENT_SCOPE naming it);
 * - a tenant-limited access token sees only its tenants: another tenant's `{id}` (parsed by
 *   TenantIdParam, as the route parses it) is a 404, as another organisation's is, and operations
 *   on the whole organisation (`wholeOrganisation`, e.g. spawn) are refused with 403;
 * - `organisationTokenOnly` operations (issuing access tokens, rotating the organisation token,
 *   signing in to the dashboard) refuse access tokens: a short-lived scoped token must not be a
 *   way to the master credential;
 * - `sessionOnly` operations (renewing and ending a dashboard session) take a session's token only.
 *
 * createApp refuses to start if a management route declares no policy (assertAccessDeclared),
 * so a new route cannot be reachable with any access token by omission.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { Scope } from "../shared/auth/principal.js";
import { AppError, notFound } from "../shared/errors.js";
import type { HonoEnv } from "./env.js";
import { validationError } from "./errors.js";
import { TenantIdParam } from "./schemas.js";

export type AccessPolicy = { scope: Scope; wholeOrganisation?: boolean } | { organisationTokenOnly: true } | { sessionOnly: true };

/** Security requirement arrays made by access(), to recognise declared routes in the registry. */
const declared = new WeakSet<object>();

export function access(policy: AccessPolicy) {
  const security: Array<Record<string, string[]>> =
    "scope" in policy ? [{ organisationToken: [] }, { accessToken: [] }, { sessionCookie: [] }] : "sessionOnly" in policy ? [{ sessionCookie: [] }] : [{ organisationToken: [] }];
  declared.add(security);
  return {
    security,
    ...("scope" in policy ? { "x-required-scope": policy.scope } : {}),
    middleware: enforce(policy),
  };
}

function enforce(policy: AccessPolicy) {
  return createMiddleware<HonoEnv>(async (c, next) => {
    const principal = c.get("principal");
    // Only refusals name the operation; routePath is worked out from the match, so not on every request.
    const operation = () => `${c.req.method} ${c.req.routePath}`;
    if ("sessionOnly" in policy) {
      if (!principal.session)
        throw new AppError(
          "FORBIDDEN",
          `${operation()} is for a signed-in dashboard session (its cookie), not for ${principal.credential === "organisation-token" ? "the organisation token" : "an access token"}`,
        );
      return next();
    }
    if (principal.credential === "organisation-token") return next();
    if ("organisationTokenOnly" in policy) {
      throw new AppError("FORBIDDEN", `${operation()} needs the organisation token itself; an access token cannot be used for it`);
    }
    if (!principal.scopes.has(policy.scope)) {
      const granted = [...principal.scopes].join(" ") || "none";
      throw new AppError(
        "INSUFFICIENT_SCOPE",
        `this access token lacks the scope "${policy.scope}" needed for ${operation()} (it has: ${granted})`,
        { requiredScope: policy.scope, grantedScopes: [...principal.scopes] },
        { "WWW-Authenticate": `Bearer realm="convergence", error="insufficient_scope", scope="${policy.scope}"` },
      );
    }
    if (principal.tenants) {
      if (policy.wholeOrganisation) {
        throw new AppError("FORBIDDEN", `this access token is limited to tenant ${[...principal.tenants].join(", ")}; ${operation()} needs a token for the whole organisation`);
      }
      // The path's tenant, parsed as the route's validation will parse it (one parser, so no other
      // spelling of an id, `7.0` or `0x7`, can name a tenant past this check); any other is a 400 here too.
      const id = c.req.param("id");
      if (id !== undefined) {
        const parsed = TenantIdParam.safeParse({ id });
        if (!parsed.success) throw validationError(parsed.error);
        if (!principal.tenants.has(parsed.data.id)) throw notFound(`tenant ${parsed.data.id}`);
      }
    }
    return next();
  });
}

/** Every route under /api/v1 except those in `exempt` must have been declared with access(). */
export function assertAccessDeclared(app: OpenAPIHono<HonoEnv>, exempt: string[]): void {
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route" || !def.route.path.startsWith("/api/v1/") || exempt.includes(def.route.path)) continue;
    if (!def.route.security || !declared.has(def.route.security)) {
      throw new Error(`${def.route.method.toUpperCase()} ${def.route.path} declares no access policy: add ...access({ scope }) to its route`);
    }
  }
}

/** The envIds a principal is limited to, for queries that list (undefined: all of the organisation's). */
export function visibleTenants(principal: { tenants: ReadonlySet<number> | null }): number[] | undefined {
  return principal.tenants ? [...principal.tenants] : undefined;
}
