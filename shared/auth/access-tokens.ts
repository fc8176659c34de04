/**
 * Access tokens: short-lived, scoped JWTs derived from an organisation token, for hot paths, the
 * SDK and the dashboard. Signed with ES256 by the shared signing keys (public keys at
 * /.well-known/jwks.json), typed `at+jwt` (RFC 9068), with claims:
 *
 *   iss, aud   JWT_ISSUER, JWT_AUDIENCE
 *   sub        "org_<id>": the organisation
 *   scope      space-separated scopes (tenants:read tenants:write usage:read)
 *   tenants    optional: the only envIds the token may see
 *   epoch      the organisation's token epoch when it was issued; rotating the organisation
 *              token bumps the epoch, and a token from an older one is refused
 *   sid, auth_time  only on a dashboard session's token (./sessions.ts): the session, and when it signed in
 *   iat, exp, jti
 *
 * Verifying needs no database round trip: keys and epochs are cached in memory (and kept fresh
 * by NOTIFY), and a token already verified once is remembered until it expires, so the
 * signature is checked once per token per process rather than once per request.
 */
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { SignJWT, errors, jwtVerify, type JWTHeaderParameters } from "jose";
import { z } from "zod";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { tenants as tenantsTable } from "../db/schema.js";
import { AppError, notFound } from "../errors.js";
import type { OrgEpochCache } from "./org-epochs.js";
import { scopes as allScopes, type Principal, type Scope, type SessionClaims } from "./principal.js";
import { SIGNING_ALG, type SigningKeys } from "./signing-keys.js";

export const ACCESS_TOKEN_TYPE = "at+jwt";
/** The most tenants one access token may be limited to. */
export const MAX_TOKEN_TENANTS = 100;

/** An organisation token is opaque; anything shaped like a compact JWS is treated as an access token. */
export function looksLikeAccessToken(credential: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential);
}

export interface AccessTokenRequest {
  scopes?: Scope[];
  tenants?: number[];
  ttlSeconds?: number;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
  scopes: Scope[];
  tenants: number[] | null;
}

/**
 * Issues an access token for the organisation behind `principal` (an organisation token: access
 * tokens cannot mint more of themselves). Every tenant named must be the organisation's.
 */
export async function issueAccessToken(
  deps: { db: Db; config: Pick<Config, "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_DEFAULT_TTL_SECONDS" | "JWT_MAX_TTL_SECONDS">; keys: SigningKeys },
  principal: Principal,
  req: AccessTokenRequest,
): Promise<IssuedAccessToken> {
  if (principal.credential !== "organisation-token") {
    throw new AppError("FORBIDDEN", "access tokens are issued for the organisation token only, not for another access token");
  }
  const scopes = req.scopes ? allScopes.filter((s) => req.scopes!.includes(s)) : [...allScopes];
  const tenants = req.tenants ? [...new Set(req.tenants)].sort((a, b) => a - b) : null;
  if (tenants) await assertOwnTenants(deps.db, principal.orgId, tenants);
  const ttl = Math.min(req.ttlSeconds ?? deps.config.JWT_DEFAULT_TTL_SECONDS, deps.config.JWT_MAX_TTL_SECONDS);
  const expiresAt = Math.floor(Date.now() / 1000) + ttl;
  return signAccessToken(deps, { orgId: principal.orgId, epoch: principal.epoch, scopes, tenants, expiresAt });
}

/**
 * Signs an access token with exactly these claims, checking nothing: callers decide who may have
 * it (issueAccessToken above, dashboard sessions in ./sessions.ts). `expiresAt` in seconds.
 */
export async function signAccessToken(
  deps: { config: Pick<Config, "JWT_ISSUER" | "JWT_AUDIENCE">; keys: SigningKeys },
  t: { orgId: number; epoch: number; scopes: Scope[]; tenants: number[] | null; expiresAt: number; session?: SessionClaims },
): Promise<IssuedAccessToken> {
  const { kid, privateKey } = await deps.keys.signingKey(t.expiresAt * 1000);
  const claims = {
    scope: t.scopes.join(" "),
    epoch: t.epoch,
    ...(t.tenants ? { tenants: t.tenants } : {}),
    ...(t.session ? { sid: t.session.id, auth_time: t.session.authTime } : {}),
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(deps.config.JWT_ISSUER)
    .setAudience(deps.config.JWT_AUDIENCE)
    .setSubject(`org_${t.orgId}`)
    .setIssuedAt()
    .setExpirationTime(t.expiresAt)
    .setJti(randomUUID())
    .sign(privateKey);
  return { token, expiresAt: new Date(t.expiresAt * 1000), scopes: t.scopes, tenants: t.tenants };
}

async function assertOwnTenants(db: Db, orgId: number, envIds: number[]): Promise<void> {
  const rows = await db
    .select({ envId: tenantsTable.envId })
    .from(tenantsTable)
    .where(and(eq(tenantsTable.orgId, orgId), inArray(tenantsTable.envId, envIds)));
  const found = new Set(rows.map((r) => r.envId));
  const missing = envIds.filter((id) => !found.has(id));
  // Another organisation's tenant is indistinguishable from a missing one, as everywhere.
  if (missing.length) throw notFound(`tenant ${missing.join(", ")}`);
}

const Claims = z
  .object({
    sub: z.string().regex(/^org_[1-9]\d{0,9}$/),
    scope: z
      .string()
      .transform((s) => s.split(" ").filter(Boolean))
      .pipe(z.array(z.enum(allScopes))),
    tenants: z.array(z.number().int().positive()).min(1).max(MAX_TOKEN_TENANTS).optional(),
    epoch: z.number().int().nonnegative(),
    exp: z.number(),
    /** A dashboard session's id and sign-in time (OpenID Connect's auth_time): both or neither. */
    sid: z.string().min(16).max(64).optional(),
    auth_time: z.number().int().positive().optional(),
  })
  .refine((c) => (c.sid === undefined) === (c.auth_time === undefined));

export type VerifyResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      message: string;
      /** Forged, tampered or guessed, as opposed to a genuine token that expired or was revoked: counts as a failed authentication. */
      suspicious: boolean;
    };

class UnknownSigningKey extends Error {
  constructor(readonly kid: string | undefined) {
    super("unknown signing key");
  }
}

interface Verified {
  principal: Principal;
  exp: number;
}

export class AccessTokenVerifier {
  /** Tokens whose signature and claims were checked, by token: expiry and epoch are re-checked on every use. */
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly deps: { keys: SigningKeys; epochs: OrgEpochCache; config: Pick<Config, "JWT_ISSUER" | "JWT_AUDIENCE"> },
    private readonly maxRemembered = 10_000,
  ) {}

  async verify(token: string): Promise<VerifyResult> {
    let entry = this.verified.get(token);
    if (!entry) {
      const checked = await this.checkSignatureAndClaims(token);
      if (!checked.ok) return checked;
      entry = checked.entry;
      if (this.verified.size >= this.maxRemembered) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, entry);
    }
    if (entry.exp * 1000 <= Date.now()) {
      this.verified.delete(token);
      return { ok: false, message: `access token expired at ${new Date(entry.exp * 1000).toISOString()}`, suspicious: false };
    }
    const { orgId, epoch } = entry.principal;
    let current = await this.deps.epochs.current(orgId);
    // Issued after a rotation this process has not heard of yet: ask Postgres before refusing.
    if (current !== null && epoch > current) current = await this.deps.epochs.current(orgId, { fresh: true });
    if (current === null) return { ok: false, message: "the access token's organisation does not exist", suspicious: true };
    if (epoch !== current) {
      if (epoch < current) this.verified.delete(token);
      return { ok: false, message: "access token was revoked: the organisation token has been rotated since it was issued", suspicious: false };
    }
    return { ok: true, principal: entry.principal };
  }

  private async checkSignatureAndClaims(token: string): Promise<{ ok: true; entry: Verified } | Extract<VerifyResult, { ok: false }>> {
    const { config, keys } = this.deps;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          const key = header.kid ? await keys.verificationKey(header.kid) : null;
          if (!key) throw new UnknownSigningKey(header.kid);
          return key;
        },
        {
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          algorithms: [SIGNING_ALG],
          typ: ACCESS_TOKEN_TYPE,
          requiredClaims: ["sub", "iat", "exp", "jti"],
        },
      ));
    } catch (err) {
      return { ok: false, ...explain(err, config) };
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) return { ok: false, message: "access token claims are malformed", suspicious: true };
    const { sub, scope, tenants, epoch, exp, sid, auth_time } = claims.data;
    const principal: Principal = {
      orgId: Number(sub.slice("org_".length)),
      credential: "access-token",
      scopes: new Set(scope),
      tenants: tenants ? new Set(tenants) : null,
      epoch,
      expiresAt: exp * 1000,
      session: sid !== undefined && auth_time !== undefined ? { id: sid, authTime: auth_time } : null,
    };
    return { ok: true, entry: { principal, exp } };
  }
}

/** A clear reason for each way a token can fail, without echoing the token. */
function explain(err: unknown, config: Pick<Config, "JWT_ISSUER" | "JWT_AUDIENCE">): { message: string; suspicious: boolean } {
  if (err instanceof errors.JWTExpired) {
    const exp = typeof err.payload.exp === "number" ? ` at ${new Date(err.payload.exp * 1000).toISOString()}` : "";
    return { message: `access token expired${exp}`, suspicious: false };
  }
  if (err instanceof UnknownSigningKey) {
    return { message: `access token was signed with an unknown or retired key (kid ${JSON.stringify(err.kid ?? null)})`, suspicious: true };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return { message: "access token signature is invalid", suspicious: true };
  if (err instanceof errors.JOSEAlgNotAllowed) return { message: `access token algorithm is not accepted (only ${SIGNING_ALG})`, suspicious: true };
  if (err instanceof errors.JWTClaimValidationFailed) {
    const message =
      err.claim === "aud"
        ? `access token is for another audience (this API is ${JSON.stringify(config.JWT_AUDIENCE)})`
        : err.claim === "iss"
          ? `access token was issued by someone else (this API's issuer is ${JSON.stringify(config.JWT_ISSUER)})`
          : err.claim === "typ"
            ? `not an access token (typ must be ${ACCESS_TOKEN_TYPE})`
            : `access token claim "${err.claim}" is ${err.reason === "missing" ? "missing" : "invalid"}`;
    return { message, suspicious: true };
  }
  if (err instanceof errors.JOSEError) return { message: "malformed access token", suspicious: true };
  throw err; // not the token's fault (e.g. Postgres down while refreshing keys): 5xx
}
