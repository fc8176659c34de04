/**
 * The organisation dashboard: the sign-in form until there is a session, then the pages. Every
 * page reads and changes things through the public API only (./api.ts).
 */
import "@picocss/pico/css/pico.min.css";
import "./styles.css";
import { StrictMode, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { Link, Route, Router, Switch, useLocation } from "wouter";
import { errorMessage, onSessionEnded, type Session } from "./api.js";
import { ErrorMessage } from "./components.js";
import { Organisation } from "./pages/Organisation.js";
import { SignIn } from "./pages/SignIn.js";
import { Spawn } from "./pages/Spawn.js";
import { Tenant } from "./pages/Tenant.js";
import { Tenants } from "./pages/Tenants.js";
import { Tokens } from "./pages/Tokens.js";
import { Usage } from "./pages/Usage.js";
import { Webhooks } from "./pages/Webhooks.js";
import { currentSession, keepAlive, signOut } from "./session.js";

type SessionState = { kind: "checking" } | { kind: "signed-out"; notice: string | null } | { kind: "signed-in"; session: Session };

function App() {
  const [state, setState] = useState<SessionState>({ kind: "checking" });
  const [error, setError] = useState<string | null>(null);
  const signingOut = useRef(false);

  useEffect(() => {
    currentSession()
      .then((session) => setState(session ? { kind: "signed-in", session } : { kind: "signed-out", notice: null }))
      .catch((err: unknown) => setError(errorMessage(err)));
    // A request refused because the session is over (expired, signed out elsewhere, token rotated);
    // not one that was still under way when the user signed out here.
    return onSessionEnded((reason) => {
      if (signingOut.current) return;
      setState((s) => (s.kind === "signed-in" ? { kind: "signed-out", notice: `You have been signed out: ${reason}` } : s));
    });
  }, []);

  const signedIn = state.kind === "signed-in" ? state.session : null;
  useEffect(() => {
    if (!signedIn) return;
    return keepAlive(
      signedIn,
      () => {},
      (why) => setState({ kind: "signed-out", notice: why }),
    );
  }, [signedIn]);

  if (error) {
    return (
      <main className="container">
        <h1>Convergence</h1>
        <ErrorMessage error={error} />
      </main>
    );
  }
  if (state.kind === "checking") return <main className="container" aria-busy="true" />;
  if (state.kind === "signed-out") return <SignIn notice={state.notice} onSignedIn={(session) => setState({ kind: "signed-in", session })} />;

  const out = async () => {
    signingOut.current = true;
    try {
      await signOut();
      setState({ kind: "signed-out", notice: "Signed out." });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      signingOut.current = false;
    }
  };
  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <Nav orgId={state.session.orgId} onSignOut={() => void out()} />
      <div id="content">
        <Switch>
          <Route path="/">
            <Tenants />
          </Route>
          <Route path="/spawn">
            <Spawn />
          </Route>
          <Route path="/usage">
            <Usage />
          </Route>
          <Route path="/organisation">
            <Organisation />
          </Route>
          <Route path="/webhooks">
            <Webhooks />
          </Route>
          <Route path="/tokens">
            <Tokens />
          </Route>
          <Route path="/tenants/:id">{(params) => <Tenant key={params.id} envId={Number(params.id)} />}</Route>
          <Route>
            <main className="container">
              <h1>Not found</h1>
              <p>
                There is no such page. <Link href="/">Back to tenants</Link>
              </p>
            </main>
          </Route>
        </Switch>
      </div>
    </>
  );
}

function Nav({ orgId, onSignOut }: { orgId: number; onSignOut: () => void }) {
  const [location] = useLocation();
  const current = (path: string) => ((path === "/" ? location === "/" || location.startsWith("/tenants") : location.startsWith(path)) ? "page" : undefined);
  return (
    <header className="container">
      <nav aria-label="Main">
        <ul>
          <li>
            <Link href="/" className="brand">
              Convergence
            </Link>
          </li>
        </ul>
        <ul>
          <li>
            <Link href="/" aria-current={current("/")}>
              Tenants
            </Link>
          </li>
          <li>
            <Link href="/spawn" aria-current={current("/spawn")}>
              Spawn
            </Link>
          </li>
          <li>
            <Link href="/usage" aria-current={current("/usage")}>
              Usage
            </Link>
          </li>
          <li>
            <Link href="/organisation" aria-current={current("/organisation")}>
              Organisation
            </Link>
          </li>
          <li>
            <Link href="/webhooks" aria-current={current("/webhooks")}>
              Webhooks
            </Link>
          </li>
          <li>
            <Link href="/tokens" aria-current={current("/tokens")}>
              Tokens
            </Link>
          </li>
          <li className="muted small">org {orgId}</li>
          <li>
            <button type="button" className="outline secondary" onClick={onSignOut}>
              Sign out
            </button>
          </li>
        </ul>
      </nav>
    </header>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Router base="/app">
      <App />
    </Router>
  </StrictMode>,
);
