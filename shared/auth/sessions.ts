/**
 * Dashboard sessions. Signing in exchanges the organisation token, once, for a short-lived access
 * token (a JWT like any other, with every scope) that the browser keeps in an httpOnly,
 * SameSite=Strict cookie: page scripts never see it, it is never in a URL or in localStorage, and
 * every request it authenticates goes through the same verification, scopes and tenant checks as
 * an access token in `Authorization`.
 *
 * - Expiry: a session's token lives SESSION_TTL_SECONDS; the dashboard renews it while in use
 *   (a new token for the same session), never past SESSION_MAX_AGE_SECONDS after sign-in.
 * - Sign-out ends the session everywhere: its id is recorded in Redis until the last token it
 *   could have been given has expired, and every API process refuses its tokens from then on.
 *   Rotating the organisation token ends every session too (the token epoch, as for any JWT).
 * - CSRF: a cookie is sent by the browser whoever made the page (SameSite=Strict does not help
 *   against another port of the same host: same site), so a cookie-authenticated request that
 *   changes something must also carry `X-CSRF-Token`, an HMAC of the session id that the dashboard
 *   reads from a script-readable cookie. A form on another origin cannot set a header, and a
 *   script there cannot send one without a CORS preflight this API never grants; nobody can
 *   compute the token without the key. It is bound to the session, so renewal does not change it.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import { signAccessToken } from "./access-tokens.js";
import { scopes as allScopes, type Principal, type Scope, type SessionClaims } from "./principal.js";
import type { SigningKeys } from "./signing-keys.js";

export const SESSION_COOKIE = "cvg_session";
export const CSRF_COOKIE = "cvg_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

type SessionConfig = Pick<Config, "JWT_ISSUER" | "JWT_AUDIENCE" | "SESSION_TTL_SECONDS" | "SESSION_MAX_AGE_SECONDS" | "ENCRYPTION_KEY" | "QUEUE_PREFIX">;

export interface SessionDeps {
  config: SessionConfig;
  keys: SigningKeys;
  redis: Redis;
}

export interface IssuedSession {
  /** The access token that goes in the session cookie. */
  token: string;
  expiresAt: Date;
  /** The session cannot be renewed past this. */
  maxExpiresAt: Date;
  csrfToken: string;
  scopes: Scope[];
}

/** Sign-in: a new session for the organisation token's organisation. */
export async function startSession(deps: SessionDeps, principal: Principal): Promise<IssuedSession> {
  if (principal.credential !== "organisation-token") {
    throw new AppError("FORBIDDEN", "signing in to the dashboard takes the organisation token itself, not an access token");
  }
  const session = { id: randomBytes(18).toString("base64url"), authTime: Math.floor(Date.now() / 1000) };
  return issue(deps, principal, session, [...allScopes]);
}

/** Renewal: a fresh token for the same session, as long as it is within its maximum age. */
export async function renewSession(deps: SessionDeps, principal: Principal): Promise<IssuedSession> {
  const { session } = principal;
  if (!session) throw new AppError("FORBIDDEN", "only a dashboard session can be renewed");
  if (Date.now() / 1000 >= maxEnd(deps.config, session) - 1) {
    throw new AppError("UNAUTHORIZED", `the session is ${Math.round(deps.config.SESSION_MAX_AGE_SECONDS / 60)} minutes old, the most it may be renewed for: sign in again`);
  }
  return issue(deps, principal, session, [...principal.scopes]);
}

async function issue(deps: SessionDeps, principal: Principal, session: SessionClaims, scopes: Scope[]): Promise<IssuedSession> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = Math.min(now + deps.config.SESSION_TTL_SECONDS, maxEnd(deps.config, session));
  const issued = await signAccessToken(deps, { orgId: principal.orgId, epoch: principal.epoch, scopes, tenants: null, expiresAt, session });
  return {
    token: issued.token,
    expiresAt: issued.expiresAt,
    maxExpiresAt: new Date(maxEnd(deps.config, session) * 1000),
    csrfToken: csrfTokenFor(deps.config, session.id),
    scopes,
  };
}

const maxEnd = (config: Pick<Config, "SESSION_MAX_AGE_SECONDS">, session: SessionClaims) => session.authTime + config.SESSION_MAX_AGE_SECONDS;

const endedKey = (config: Pick<Config, "QUEUE_PREFIX">, sessionId: string) => `${config.QUEUE_PREFIX}:session-ended:${sessionId}`;

/** Sign-out: the session's tokens are refused from now on, by every API process. */
export async function endSession(deps: Pick<SessionDeps, "config" | "redis">, session: SessionClaims): Promise<void> {
  // Every token of the session expires within SESSION_TTL_SECONDS of now (renewal stops here too).
  await deps.redis.set(endedKey(deps.config, session.id), "1", "EX", deps.config.SESSION_TTL_SECONDS + 60);
}

export async function isSessionEnded(deps: Pick<SessionDeps, "config" | "redis">, session: SessionClaims): Promise<boolean> {
  return (await deps.redis.exists(endedKey(deps.config, session.id))) === 1;
}

const csrfKeys = new Map<string, Buffer>();
/** A key of its own for CSRF tokens, derived from ENCRYPTION_KEY (which every API process shares). */
function csrfKey(config: Pick<Config, "ENCRYPTION_KEY">): Buffer {
  let key = csrfKeys.get(config.ENCRYPTION_KEY);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", Buffer.from(config.ENCRYPTION_KEY, "base64"), "", "convergence dashboard csrf", 32));
    csrfKeys.set(config.ENCRYPTION_KEY, key);
  }
  return key;
}

export function csrfTokenFor(config: Pick<Config, "ENCRYPTION_KEY">, sessionId: string): string {
  return createHmac("sha256", csrfKey(config)).update(sessionId).digest("base64url");
}

export function csrfTokenMatches(config: Pick<Config, "ENCRYPTION_KEY">, session: SessionClaims, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(config, session.id));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
