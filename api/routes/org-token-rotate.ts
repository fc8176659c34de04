/** POST /api/v1/auth/organisation-token/rotate — a new organisation token, shown once; the old one and its access tokens stop working now. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { rotateOrganisationToken } from "../../shared/orgs.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export const orgTokenRotateRoute = createRoute({
  method: "post",
  path: "/api/v1/auth/organisation-token/rotate",
  operationId: "rotateOrganisationToken",
  tags: ["Authentication"],
  summary: "Rotate the organisation token",
  description:
    "Authenticated with the organisation token itself. Returns the new token once; the old token, and every access token issued " +
    "from it, are refused by every API process from this moment. Organisation 1's token cannot be rotated here while " +
    "CONVERGENCE_ADMIN_TOKEN sets it (409).",
  ...access({ organisationTokenOnly: true }),
  responses: {
    200: {
      description: "the new token",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            token: z.string().openapi({ example: "cvg_org_…" }),
            prefix: z.string().openapi({ example: "cvg_org_AbC123" }),
          }),
        },
      },
    },
    ...errorResponses(401, 403, 409, 429),
  },
});

export const orgTokenRotateHandler: RouteHandler<typeof orgTokenRotateRoute, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  const orgId = c.get("org").id;
  const { org, token } = await rotateOrganisationToken(ctx.db, orgId, { adminToken: ctx.config.CONVERGENCE_ADMIN_TOKEN, deadline: c.get("deadline") });
  // At once in this process; the others evict on the NOTIFY.
  ctx.auth.epochs.evict(orgId);
  ctx.auth.orgTokens.evict(orgId);
  c.get("log").info({ tokenPrefix: org.tokenPrefix }, "organisation token rotated");
  c.header("Cache-Control", "no-store");
  return c.json({ success: true as const, token, prefix: org.tokenPrefix }, 200);
};
