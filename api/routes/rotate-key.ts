/** POST /api/v1/tenant/:id/rotate-key — a new API key, shown once; the old one stops working now. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { rotateTenantKey } from "../../shared/tenant-keys.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, TenantWithKeySchema, errorResponses } from "../schemas.js";

export const rotateKeyRoute = createRoute({
  method: "post",
  path: "/api/v1/tenant/{id}/rotate-key",
  operationId: "rotateTenantKey",
  tags: ["Tenants"],
  summary: "Rotate a tenant's API key",
  description:
    "Returns the new key once. The old key is refused from this moment. The running container is re-created with the new key by a worker, on the same port; the tenant goes provisioning → starting → ready.",
  ...access({ scope: "tenants:write" }),
  request: { params: TenantIdParam },
  responses: {
    202: {
      description: "rotated; the container is being re-created with the new key",
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), tenant: TenantWithKeySchema }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 409, 429),
  },
});

export const rotateKeyHandler: RouteHandler<typeof rotateKeyRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const ctx = c.get("ctx");
  const { tenant, apiKey } = await rotateTenantKey({ ctx, orgId: c.get("org").id, envId: id, deadline: c.get("deadline") });
  ctx.tenantKeys.evict(id);
  ctx.tenantRows.evict(id); // other API processes evict when the status change is announced
  c.get("log").info({ envId: id }, "tenant API key rotated");
  return c.json({ success: true as const, tenant: { ...tenantView(tenant, ctx.config), apiKey } }, 202);
};
