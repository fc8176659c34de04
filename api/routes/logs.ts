/** GET /api/v1/tenant/:id/logs?tail=50 — the container's last log lines, fetched by a worker. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { getTenantForOrg } from "../../shared/tenants/queries.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, bearerSecurity, errorResponses } from "../schemas.js";

export const logsRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/logs",
  operationId: "getTenantLogs",
  tags: ["Tenants"],
  summary: "A tenant's container logs",
  security: bearerSecurity,
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
    ...errorResponses(400, 401, 404, 503),
  },
});

export const logsHandler: RouteHandler<typeof logsRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { tail } = c.req.valid("query");
  const ctx = c.get("ctx");
  await getTenantForOrg(ctx.db, c.get("org").id, id);
  const { lines, container } = await ctx.requestLogs(id, tail);
  return c.json({ success: true as const, container, lines }, 200);
};
