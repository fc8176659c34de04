/**
 * POST /api/v1/auth/session/refresh — renew the dashboard session: a fresh short-lived token for
 * the same session in the cookie, up to the session's maximum age. The dashboard calls it while
 * it is in use, before the current token expires.
 */
import { createRoute, type RouteHandler } from "@hono/zod-openapi";
import { renewSession } from "../../shared/auth/sessions.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses, sessionCookiesResponse } from "../schemas.js";
import { setSessionCookies } from "../session-cookies.js";
import { sessionView } from "./session-get.js";

export const sessionRefreshRoute = createRoute({
  method: "post",
  path: "/api/v1/auth/session/refresh",
  operationId: "refreshSession",
  tags: ["Authentication"],
  summary: "Renew the dashboard session",
  description: "With the session cookie and `X-CSRF-Token`. Sets a new `cvg_session`; refused (401) once the session reached SESSION_MAX_AGE_SECONDS.",
  ...access({ sessionOnly: true }),
  responses: {
    200: sessionCookiesResponse("renewed; the cookies are set"),
    ...errorResponses(401, 403, 429),
  },
});

export const sessionRefreshHandler: RouteHandler<typeof sessionRefreshRoute, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  const principal = c.get("principal");
  const session = await renewSession({ config: ctx.config, keys: ctx.auth.keys, redis: ctx.redis }, principal);
  setSessionCookies(c, session);
  return c.json({ success: true as const, session: sessionView(principal.orgId, session) }, 200);
};
