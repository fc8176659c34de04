/** Organisation-token auth for the management API: `Authorization: Bearer cvg_org_…`. */
import { createMiddleware } from "hono/factory";
import type { Organisation } from "../shared/db/schema.js";
import { AppError } from "../shared/errors.js";
import { authenticateOrganisation } from "../shared/orgs.js";
import { authenticateTenantKey } from "../shared/tenant-keys.js";
import type { HonoEnv } from "./env.js";

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

export const requireOrganisation = createMiddleware<HonoEnv>(async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token) throw new AppError("UNAUTHORIZED", "missing organisation token: send Authorization: Bearer <token>");
  const org = await authenticateOrganisation(c.get("ctx").db, token);
  if (!org) throw new AppError("UNAUTHORIZED", "invalid organisation token");
  c.set("org", org);
  c.set("log", c.get("log").child({ orgId: org.id }));
  await next();
});

/** Tenant-key auth for convergence calls: `Authorization: Bearer sk_tenant_…` or `X-API-Key`. */
export const requireTenantKey = createMiddleware<HonoEnv>(async (c, next) => {
  const key = bearerToken(c.req.header("authorization")) ?? c.req.header("x-api-key")?.trim();
  if (!key) throw new AppError("UNAUTHORIZED", "missing tenant API key: send Authorization: Bearer sk_tenant_… or X-API-Key");
  const ctx = c.get("ctx");
  const tenant = await authenticateTenantKey(ctx.db, key, ctx.tenantKeys);
  c.set("tenant", tenant);
  c.set("log", c.get("log").child({ envId: tenant.envId, orgId: tenant.orgId }));
  await next();
});

/** `org_id` in a query must name the token's own organisation. */
export function assertOwnOrganisation(org: Organisation, orgId: number | undefined): void {
  if (orgId !== undefined && orgId !== org.id) {
    throw new AppError("FORBIDDEN", `this token belongs to organisation ${org.id}, not ${orgId}`);
  }
}
