/** DELETE /api/v1/auth/session — sign out: the session's tokens are refused from now on, everywhere, and the cookies cleared. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { endSession } from "../../shared/auth/sessions.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";
import { clearSessionCookies } from "../session-cookies.js";

export const sessionDeleteRoute = createRoute({
  method: "delete",
  path: "/api/v1/auth/session",
  operationId: "deleteSession",
  tags: ["Authentication"],
  summary: "Sign out of the dashboard",
  description: "With the session cookie and `X-CSRF-Token`. Every API process refuses the session's tokens from now on, even a copy of the cookie.",
  ...access({ sessionOnly: true }),
  responses: {
    200: {
      description: "signed out; the cookies are cleared",
      content: { "application/json": { schema: z.object({ success: z.literal(true) }) } },
    },
    ...errorResponses(401, 403, 429),
  },
});

export const sessionDeleteHandler: RouteHandler<typeof sessionDeleteRoute, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  await endSession(ctx, c.get("principal").session!); // sessionOnly
  clearSessionCookies(c);
  c.get("log").info("dashboard session ended");
  return c.json({ success: true as const }, 200);
};
