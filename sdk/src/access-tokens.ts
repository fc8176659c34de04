/**
 * Access tokens: short-lived JWTs derived from the organisation token, limited to some scopes and
 * tenants; every management call accepts one in place of the organisation token (hand one to a
 * job that only reads, or to one tenant's pipeline). Revoking the organisation token revokes them.
 */
import { unwrap, type ApiClient } from "./http.js";
import { envIdOf, type TenantId } from "./ids.js";
import type { AccessToken, AccessTokenScope, CallOptions } from "./types.js";

export interface AccessTokenRequest extends CallOptions {
  /** What it may do; default: every scope. */
  scopes?: AccessTokenScope[];
  /** Only these tenants; default: every tenant of the organisation. */
  tenants?: TenantId[];
  /** Lifetime in seconds; default and maximum: the platform's (JWT_DEFAULT_TTL_SECONDS, JWT_MAX_TTL_SECONDS). */
  ttlSeconds?: number;
}

export class AccessTokens {
  constructor(private readonly api: ApiClient) {}

  /** Issues one; needs the organisation token (not another access token). */
  async create(request: AccessTokenRequest = {}): Promise<AccessToken> {
    const { signal, scopes, tenants, ttlSeconds } = request;
    const { success: _, ...token } = await unwrap(this.api.POST("/api/v1/auth/token", { body: { scopes, tenants: tenants?.map(envIdOf), ttlSeconds }, signal }));
    return token;
  }
}
