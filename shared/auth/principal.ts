/**
 * Who a management request acts for, whichever credential it came with: the organisation, what
 * it may do (scopes), and which of its tenants it may see. An organisation token may do
 * everything; an access token (JWT) only what its scopes and tenant list allow.
 */
export const scopes = ["tenants:read", "tenants:write", "usage:read"] as const;
export type Scope = (typeof scopes)[number];

export interface Principal {
  orgId: number;
  credential: "organisation-token" | "access-token";
  scopes: ReadonlySet<Scope>;
  /** The envIds an access token is limited to; null means every tenant of the organisation. */
  tenants: ReadonlySet<number> | null;
  /** The organisation's token epoch the credential belongs to. */
  epoch: number;
  /** When an access token expires (ms since the epoch); null for the organisation token. */
  expiresAt: number | null;
  /** A dashboard session's access token (shared/auth/sessions.ts): which session, since when (s); otherwise null. */
  session: SessionClaims | null;
}

export interface SessionClaims {
  id: string;
  /** When the session signed in with the organisation token (seconds since the epoch); it cannot be renewed past a maximum age from here. */
  authTime: number;
}

export function organisationPrincipal(org: { id: number; tokenEpoch: number }): Principal {
  return { orgId: org.id, credential: "organisation-token", scopes: new Set(scopes), tenants: null, epoch: org.tokenEpoch, expiresAt: null, session: null };
}
