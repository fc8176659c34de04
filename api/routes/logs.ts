/** GET /api/v1/tenant/:id/logs?tail=50 — the container's last log lines, fetched by a worker. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { requestTenantLogs } from "../../shared/tenants/logs.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, errorResponses } from "../schemas.js";

export const logsRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/logs",
  operationId: "getTenantLogs",
  tags: ["Tenants"],
  summary: "A tenant's container logs",
  ...access({ scope: "tenants:read" }),
  request: {
    params: TenantIdParam,
    query: z.object({ tail: z.coerce.number().int().min(1).max(5000).default(100) }),
  },
  responses: {
    200: {
      description: "log lines, oldest first, each prefixed with its timestamp",
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), container: z.string().nullable(), lines: z.array(z.string()) }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

export const logsHandler: RouteHandler<typeof logsRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { tail } = c.req.valid("query");
  const { lines, container } = await requestTenantLogs({ ctx: c.get("ctx"), orgId: c.get("org").id, envId: id, tail });
  return c.json({ success: true as const, container, lines }, 200);
};
