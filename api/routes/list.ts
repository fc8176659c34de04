/** GET /api/v1/tenant?org_id=1 — the organisation's tenants, newest first, cursor-paginated. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { tenantStatuses } from "../../shared/tenant-state.js";
import { listTenants } from "../../shared/tenants/queries.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access, visibleTenants } from "../access.js";
import { assertOwnOrganisation } from "../auth.js";
import type { HonoEnv } from "../env.js";
import { MAX_INT4, TenantSchema, errorResponses, orgIdQuery } from "../schemas.js";

const ListQuery = z.object({
  org_id: orgIdQuery,
  status: z
    .string()
    .max(200)
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const list = s.split(",").map((x) => x.trim());
      const bad = list.filter((x) => !(tenantStatuses as readonly string[]).includes(x));
      if (bad.length) {
        ctx.addIssue({ code: "custom", message: `unknown status ${bad.join(", ")}; one of ${tenantStatuses.join(", ")}` });
        return z.NEVER;
      }
      return list as (typeof tenantStatuses)[number][];
    })
    .openapi({ description: "comma-separated statuses", example: "ready,unhealthy" }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "tenants per page" }),
  cursor: z.coerce.number().int().positive().max(MAX_INT4, "cursor is out of range").optional().openapi({ description: "nextCursor of the previous page" }),
});

export const listRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant",
  operationId: "listTenants",
  tags: ["Tenants"],
  summary: "List the organisation's tenants",
  description:
    "The organisation's tenants, newest first, a page at a time: follow `nextCursor` until it is null. Filter by status; destroyed tenants are listed too (their records stay, for billing).",
  ...access({ scope: "tenants:read" }),
  request: { query: ListQuery },
  responses: {
    200: {
      description: "a page of tenants",
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), tenants: z.array(TenantSchema), nextCursor: z.number().int().nullable() }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});

export const listHandler: RouteHandler<typeof listRoute, HonoEnv> = async (c) => {
  const q = c.req.valid("query");
  const org = c.get("org");
  assertOwnOrganisation(org, q.org_id);
  const envIds = visibleTenants(c.get("principal"));
  const page = await listTenants(c.get("ctx").db, { orgId: org.id, statuses: q.status, limit: q.limit, cursor: q.cursor, envIds });
  return c.json({ success: true as const, tenants: page.items.map((t) => tenantView(t, c.get("ctx").config)), nextCursor: page.nextCursor }, 200);
};
