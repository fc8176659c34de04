/** PATCH /api/v1/tenant/:id — change what can change on a live tenant: its idle policy. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { updateIdlePolicy } from "../../shared/tenants/idle-policy.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { IdlePolicySchema, TenantIdParam, TenantSchema, errorResponses } from "../schemas.js";

export const tenantUpdateRoute = createRoute({
  method: "patch",
  path: "/api/v1/tenant/{id}",
  operationId: "updateTenant",
  tags: ["Tenants"],
  summary: "Change a tenant's idle policy",
  description: "Sets `idle` (pause, then stop, after so many seconds without traffic; null = never). Idle time counts from this change. See docs/idle.md.",
  ...access({ scope: "tenants:write" }),
  request: {
    params: TenantIdParam,
    body: { content: { "application/json": { schema: z.strictObject({ idle: IdlePolicySchema }), example: { idle: { pauseAfterSeconds: 300, stopAfterSeconds: 3600 } } } }, required: true },
  },
  responses: {
    200: { description: "changed", content: { "application/json": { schema: z.object({ success: z.literal(true), tenant: TenantSchema }) } } },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export const tenantUpdateHandler: RouteHandler<typeof tenantUpdateRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { idle } = c.req.valid("json");
  const ctx = c.get("ctx");
  const tenant = await updateIdlePolicy({ ctx, orgId: c.get("org").id, envId: id, idle });
  ctx.tenantRows.evict(id);
  return c.json({ success: true as const, tenant: tenantView(tenant, ctx.config) }, 200);
};
