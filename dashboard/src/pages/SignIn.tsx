/** The sign-in form: one field, the organisation token, exchanged for a session cookie. */
import { useState, type FormEvent } from "react";
import type { Session } from "../api.js";
import { errorMessage } from "../api.js";
import { ErrorMessage, usePageTitle } from "../components.js";
import { signIn } from "../session.js";

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const heading = usePageTitle("Sign in");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(token);
      setToken(""); // not kept: the session cookie is the credential from now on
      onSignedIn(session);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="container signin">
      <article>
        <h1 ref={heading} tabIndex={-1}>
          Convergence
        </h1>
        <p className="muted">Sign in with your organisation token to see your tenants, their logs and usage.</p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={(e) => void submit(e)}>
          <label htmlFor="token">Organisation token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="cvg_org_…"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "signin-error" : undefined}
          />
          <div id="signin-error">
            <ErrorMessage error={error} />
          </div>
          <button type="submit" aria-busy={busy} disabled={busy}>
            Sign in
          </button>
        </form>
        <p className="muted small">The token is exchanged for a session cookie that expires after a while without use; it is not stored in this browser.</p>
      </article>
    </main>
  );
}
