/**
 * The dashboard session on the wire (see shared/auth/sessions.ts for what a session is):
 *
 *   cvg_session  the session's access token: HttpOnly, SameSite=Strict, Path=/api/ (never sent
 *                with pages or assets), Max-Age = the token's remaining life
 *   cvg_csrf     the CSRF token: SameSite=Strict, Path=/, readable by the dashboard's script, which
 *                echoes it in X-CSRF-Token on every request that changes something
 *
 * Both are Secure when the request came over HTTPS (SESSION_COOKIE_SECURE=auto; through the ingress
 * too, see api/forwarded.ts) or when told to.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrfTokenMatches, type IssuedSession } from "../shared/auth/sessions.js";
import type { Principal } from "../shared/auth/principal.js";
import { AppError } from "../shared/errors.js";
import type { HonoEnv } from "./env.js";
import { cameOverHttps } from "./forwarded.js";

const SESSION_PATH = "/api/";
const CSRF_PATH = "/";

function secure(c: Context<HonoEnv>): boolean {
  const setting = c.get("ctx").config.SESSION_COOKIE_SECURE;
  return setting === "auto" ? cameOverHttps(c) : setting === "true";
}

export function setSessionCookies(c: Context<HonoEnv>, session: IssuedSession): void {
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  const common = { secure: secure(c), sameSite: "Strict" as const, maxAge };
  setCookie(c, SESSION_COOKIE, session.token, { ...common, path: SESSION_PATH, httpOnly: true });
  setCookie(c, CSRF_COOKIE, session.csrfToken, { ...common, path: CSRF_PATH });
  c.header("Cache-Control", "no-store");
}

export function clearSessionCookies(c: Context<HonoEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: SESSION_PATH, secure: secure(c), httpOnly: true, sameSite: "Strict" });
  deleteCookie(c, CSRF_COOKIE, { path: CSRF_PATH, secure: secure(c), sameSite: "Strict" });
}

export function sessionCookie(c: Context<HonoEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * What a request authenticated by the session cookie must also satisfy: the cookie holds a
 * dashboard session's token (nothing else is ever put there), and a request that changes
 * something carries the session's CSRF token.
 */
export function assertCookieRequest(c: Context<HonoEnv>, principal: Principal): void {
  if (!principal.session) throw new AppError("UNAUTHORIZED", "the session cookie does not hold a dashboard session; sign in again");
  if (safeMethods.has(c.req.method)) return;
  if (!csrfTokenMatches(c.get("ctx").config, principal.session, c.req.header(CSRF_HEADER))) {
    throw new AppError("CSRF_FAILED", `a request authenticated by the session cookie that changes something needs the ${CSRF_HEADER} header, set to the value of the ${CSRF_COOKIE} cookie`);
  }
}
