/**
 * Access tokens: short-lived, scoped JWTs for scripts, CI and the SDK, made from the organisation
 * token (POST /api/v1/auth/token takes only the organisation token itself, never a session, so the
 * form asks for it and forgets it). The token is shown once. Access tokens are not stored by the
 * platform, so there is no list to show: they expire by themselves, and rotating the organisation
 * token revokes every one of them at once.
 */
import { useState, type FormEvent } from "react";
import { api, call, errorMessage, type AccessTokenScope as Scope } from "../api.js";
import { ErrorMessage, RevealOnce, usePageTitle } from "../components.js";
import { formatDateTime } from "../format.js";

const scopeText: Record<Scope, string> = {
  "tenants:read": "read tenants: status, events, logs, templates",
  "tenants:write": "spawn, rotate keys, destroy; the webhook secret",
  "usage:read": "read usage",
};

type Issued = { token: string; expiresAt: string; scopes: Scope[]; tenants: number[] | null };

export function Tokens() {
  const heading = usePageTitle("Access tokens");
  const [orgToken, setOrgToken] = useState("");
  const [scopes, setScopes] = useState<Set<Scope>>(new Set(["tenants:read"]));
  const [tenants, setTenants] = useState("");
  const [minutes, setMinutes] = useState("15");
  const [issued, setIssued] = useState<Issued | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggle = (s: Scope) =>
    setScopes((old) => {
      const next = new Set(old);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const envIds = tenants
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((t) => Number(t.replace(/^tenant_/, "")));
      const body = await call(
        api.POST("/api/v1/auth/token", {
          headers: { Authorization: `Bearer ${orgToken.trim()}` },
          body: {
            scopes: [...scopes],
            ...(envIds.length ? { tenants: envIds } : {}),
            ...(minutes.trim() ? { ttlSeconds: Math.round(Number(minutes) * 60) } : {}),
          },
        }),
        { signIn: true }, // a 401 here is about the token typed in, not this session
      );
      setOrgToken(""); // not kept
      setIssued({ token: body.token, expiresAt: body.expiresAt, scopes: body.scopes, tenants: body.tenants });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="container narrow">
      <h1 ref={heading} tabIndex={-1}>
        Access tokens
      </h1>
      <p>
        An access token is a short-lived credential (a JWT) for a script, a CI job or the SDK: limited to the scopes and tenants you choose, for a lifetime the platform caps (an hour unless the
        operator changed it). Send it as <code>Authorization: Bearer …</code>.
      </p>
      <p className="muted">
        Tokens are not stored, so they cannot be listed: each one expires by itself. To revoke every access token at once, rotate the organisation token (
        <code>convergence org rotate-token</code> or <code>POST /api/v1/auth/organisation-token/rotate</code>); that also ends this session.
      </p>
      {issued ? (
        <RevealOnce
          label="New access token"
          secret={issued.token}
          onDone={() => setIssued(null)}
          note={
            <>
              <strong>Copy it now: you will not see this again.</strong> It expires {formatDateTime(issued.expiresAt)}; scopes {issued.scopes.join(", ")}; tenants{" "}
              {issued.tenants ? issued.tenants.join(", ") : "all"}.
            </>
          }
        />
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <label htmlFor="org-token">Organisation token</label>
          <input
            id="org-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="cvg_org_…"
            required
            value={orgToken}
            onChange={(e) => setOrgToken(e.target.value)}
            aria-describedby="org-token-help"
          />
          <small id="org-token-help">Access tokens are made from the organisation token itself, never from this session. It is used for this one request and not kept.</small>
          <fieldset>
            <legend>Scopes</legend>
            {(Object.keys(scopeText) as Scope[]).map((s) => (
              <label key={s}>
                <input type="checkbox" name="scopes" checked={scopes.has(s)} onChange={() => toggle(s)} />
                <code>{s}</code>: {scopeText[s]}
              </label>
            ))}
          </fieldset>
          <label htmlFor="token-tenants">Tenants (optional)</label>
          <input id="token-tenants" inputMode="numeric" placeholder="1, 2 or tenant_1" value={tenants} onChange={(e) => setTenants(e.target.value)} aria-describedby="token-tenants-help" />
          <small id="token-tenants-help">Empty: every tenant of the organisation.</small>
          <label htmlFor="token-minutes">Lifetime in minutes</label>
          <input id="token-minutes" type="number" min={1} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy || scopes.size === 0} aria-busy={busy}>
            Create an access token
          </button>
        </form>
      )}
    </main>
  );
}
