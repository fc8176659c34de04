/** GET /api/v1/auth/session — the signed-in dashboard session: whose, and until when. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { csrfTokenFor, type IssuedSession } from "../../shared/auth/sessions.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { SessionSchema, errorResponses } from "../schemas.js";

export const sessionGetRoute = createRoute({
  method: "get",
  path: "/api/v1/auth/session",
  operationId: "getSession",
  tags: ["Authentication"],
  summary: "The current dashboard session",
  description: "Whose dashboard session the cookie carries, until when it lasts and its CSRF token; 401 when there is none (the dashboard then shows its sign-in page).",
  ...access({ sessionOnly: true }),
  responses: {
    200: {
      description: "the session",
      content: { "application/json": { schema: z.object({ success: z.literal(true), session: SessionSchema }) } },
    },
    ...errorResponses(401, 403, 429),
  },
});

export function sessionView(orgId: number, s: Omit<IssuedSession, "token">) {
  return {
    orgId,
    expiresAt: s.expiresAt.toISOString(),
    maxExpiresAt: s.maxExpiresAt.toISOString(),
    scopes: [...s.scopes],
    csrfToken: s.csrfToken,
  };
}

export const sessionGetHandler: RouteHandler<typeof sessionGetRoute, HonoEnv> = async (c) => {
  const { config } = c.get("ctx");
  const principal = c.get("principal");
  const session = principal.session!; // sessionOnly
  c.header("Cache-Control", "no-store");
  const view = sessionView(principal.orgId, {
    expiresAt: new Date(principal.expiresAt!),
    maxExpiresAt: new Date((session.authTime + config.SESSION_MAX_AGE_SECONDS) * 1000),
    scopes: [...principal.scopes],
    csrfToken: csrfTokenFor(config, session.id),
  });
  return c.json({ success: true as const, session: view }, 200);
};
