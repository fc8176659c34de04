/** DELETE /api/v1/tenant/:id — tear the tenant down (202; a worker does the work). */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { requestDestroy } from "../../shared/tenants/destroy.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, TenantSchema, errorResponses } from "../schemas.js";

export const destroyRoute = createRoute({
  method: "delete",
  path: "/api/v1/tenant/{id}",
  operationId: "destroyTenant",
  tags: ["Tenants"],
  summary: "Destroy a tenant",
  description: "Works from any state, including a stuck one. The row stays as `destroyed` for billing history.",
  ...access({ scope: "tenants:write" }),
  request: { params: TenantIdParam },
  responses: {
    202: {
      description: "accepted; the tenant is destroying (or already destroyed)",
      content: { "application/json": { schema: z.object({ success: z.literal(true), tenant: TenantSchema }) } },
    },
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export const destroyHandler: RouteHandler<typeof destroyRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const ctx = c.get("ctx");
  const tenant = await requestDestroy({ ctx, orgId: c.get("org").id, envId: id });
  ctx.tenantKeys.evict(id); // its key stops working now; other API processes evict on the announcement
  ctx.tenantRows.evict(id);
  c.get("log").info({ envId: id }, "destroy requested");
  c.header("Location", `/api/v1/tenant/${id}/status`);
  return c.json({ success: true as const, tenant: tenantView(tenant, ctx.config) }, 202);
};
