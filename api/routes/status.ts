/** GET /api/v1/tenant/:id/status — the tenant's state, port, health, timestamps and last error. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { getTenantForOrg } from "../../shared/tenants/queries.js";
import { tenantView } from "../../shared/tenants/view.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, TenantSchema, bearerSecurity, errorResponses } from "../schemas.js";

export const statusRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/status",
  summary: "A tenant's status",
  security: bearerSecurity,
  request: { params: TenantIdParam },
  responses: {
    200: {
      description: "the tenant",
      content: { "application/json": { schema: z.object({ success: z.literal(true), tenant: TenantSchema }) } },
    },
    ...errorResponses(400, 401, 404),
  },
});

export const statusHandler: RouteHandler<typeof statusRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const tenant = await getTenantForOrg(c.get("ctx").db, c.get("org").id, id);
  return c.json({ success: true as const, tenant: tenantView(tenant) }, 200);
};
