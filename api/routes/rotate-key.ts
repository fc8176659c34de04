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
    "Returns the new key once. The old key is refused from this moment. On Docker the tenant stays ready: a new revision with the new key (`deployment`, source `rotate-key`) is started beside the running container and switched to without downtime; wait for it with GET /tenant/{id}/deployments/{revision}?wait=live. On Swarm the container is re-created with the new key, on the same port; the tenant goes provisioning → starting → ready.",
  ...access({ scope: "tenants:write" }),
  request: { params: TenantIdParam },
  responses: {
    202: {
      description: "rotated; the container is being re-created with the new key",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            tenant: TenantWithKeySchema,
            deployment: z
              .object({ revision: z.number().int(), status: z.string() })
              .optional()
              .openapi({ description: "Docker: the revision that brings the new key into the app (switched to without downtime)" }),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 409, 429),
  },
});

export const rotateKeyHandler: RouteHandler<typeof rotateKeyRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const ctx = c.get("ctx");
  const { tenant, apiKey, deployment } = await rotateTenantKey({ ctx, orgId: c.get("org").id, envId: id, deadline: c.get("deadline") });
  ctx.tenantKeys.evict(id);
  ctx.tenantRows.evict(id); // other API processes evict when the status change is announced
  c.get("log").info({ envId: id }, "tenant API key rotated");
  return c.json(
    {
      success: true as const,
      tenant: { ...tenantView(tenant, ctx.config), apiKey },
      ...(deployment ? { deployment: { revision: deployment.revision, status: deployment.status } } : {}),
    },
    202,
  );
};
