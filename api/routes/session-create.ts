/**
 * POST /api/v1/auth/session — sign in to the dashboard: the organisation token (in Authorization,
 * as everywhere) is exchanged for a session whose short-lived access token is set in an httpOnly,
 * SameSite=Strict cookie. The token is never in the answer's body.
 */
import { createRoute, type RouteHandler } from "@hono/zod-openapi";
import { startSession } from "../../shared/auth/sessions.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses, sessionCookiesResponse } from "../schemas.js";
import { setSessionCookies } from "../session-cookies.js";
import { sessionView } from "./session-get.js";

export const sessionCreateRoute = createRoute({
  method: "post",
  path: "/api/v1/auth/session",
  operationId: "createSession",
  tags: ["Authentication"],
  summary: "Sign in to the dashboard (session cookie)",
  description:
    "Authenticated with the organisation token. Sets `cvg_session` (the session's access token: HttpOnly, SameSite=Strict, Path=/api/) " +
    "and `cvg_csrf` (the CSRF token, readable by the page). Browsers then call every management endpoint with the cookie instead of " +
    "`Authorization`, sending `X-CSRF-Token` on requests that change something. The session lasts SESSION_TTL_SECONDS unless renewed " +
    "(POST /api/v1/auth/session/refresh), at most SESSION_MAX_AGE_SECONDS; signing out or rotating the organisation token ends it.",
  ...access({ organisationTokenOnly: true }),
  responses: {
    200: sessionCookiesResponse("signed in; the cookies are set"),
    ...errorResponses(401, 403, 429),
  },
});

export const sessionCreateHandler: RouteHandler<typeof sessionCreateRoute, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  const principal = c.get("principal");
  const session = await startSession({ config: ctx.config, keys: ctx.auth.keys, redis: ctx.redis }, principal);
  setSessionCookies(c, session);
  c.get("log").info({ expiresAt: session.expiresAt.toISOString() }, "dashboard session started");
  return c.json({ success: true as const, session: sessionView(principal.orgId, session) }, 200);
};
