/**
 * One tenant: its state and health, its revisions with their build logs, rollback and the app's
 * environment variables (Deployments.tsx), the state timeline (live), its logs (following new lines),
 * rotating its key (confirm, then the new key once), destroying it (type its name), and the
 * webhook events sent for it with every delivery attempt.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "wouter";
import { ApiError, api, call, errorMessage, type Tenant as TenantView, type TenantWithKey, type WebhookEvent } from "../api.js";
import { Dialog, EmptyState, ErrorMessage, RevealOnce, StatusBadge, TableScroll, usePageTitle } from "../components.js";
import { ago, formatDateTime, useNow } from "../format.js";
import { useTenantEvents } from "../live.js";
import { followLogs } from "../logs.js";
import { Deployments } from "./Deployments.js";
import { Health } from "./Tenants.js";

const HEALTH_REFRESH_MS = 15_000;
const MAX_LOG_LINES = 1000;

export function Tenant({ envId }: { envId: number }) {
  const [tenant, setTenant] = useState<TenantView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = usePageTitle(tenant ? tenant.name : `Tenant ${envId}`);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      setTenant((await call(api.GET("/api/v1/tenant/{id}/status", { params: { path: { id: envId } } }))).tenant);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `There is no tenant ${envId} in this organisation.` : errorMessage(err));
    }
  }, [envId]);
  useEffect(() => {
    void load();
    const t = window.setInterval(() => void load(), HEALTH_REFRESH_MS);
    return () => window.clearInterval(t);
  }, [load]);
  const { events, state } = useTenantEvents(envId, () => void load());

  if (!tenant) {
    return (
      <main className="container">
        <h1 ref={heading} tabIndex={-1}>
          Tenant {envId}
        </h1>
        {error ? <ErrorMessage error={error} /> : <p aria-busy="true">Loading…</p>}
        <p>
          <Link href="/">Back to tenants</Link>
        </p>
      </main>
    );
  }
  const gone = tenant.status === "destroyed" || tenant.status === "destroying";

  return (
    <main className="container">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href="/">Tenants</Link> › {tenant.name}
      </nav>
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {tenant.name}
        </h1>
        <StatusBadge status={tenant.status} />
      </div>
      <ErrorMessage error={error} />
      {tenant.error ? <p className="error">Last error: {tenant.error}</p> : null}
      <div className="grid cards">
        <article>
          <h2>Tenant</h2>
          <dl>
            <dt>Id</dt>
            <dd>{tenant.tenantId}</dd>
            <dt>URL</dt>
            <dd>{tenant.url ? <a href={tenant.url}>{tenant.url}</a> : "—"}</dd>
            <dt>Port</dt>
            <dd>{tenant.port ?? "—"}</dd>
            <dt>Template</dt>
            <dd>
              {tenant.language}/{tenant.framework}
            </dd>
            <dt>Revision</dt>
            <dd data-testid="tenant-revision">{tenant.revision}</dd>
            <dt>API key</dt>
            <dd>
              <code>{tenant.apiKeyPrefix}…</code>
            </dd>
            <dt>Created</dt>
            <dd title={formatDateTime(tenant.createdAt)}>{ago(tenant.createdAt, now)}</dd>
          </dl>
        </article>
        <article>
          <h2>Health</h2>
          <dl>
            <dt>Checks</dt>
            <dd>
              <Health tenant={tenant} />
            </dd>
            <dt>Last check</dt>
            <dd>{tenant.health.lastCheckAt ? ago(tenant.health.lastCheckAt, now) : "not yet"}</dd>
            <dt>Ready since</dt>
            <dd>{tenant.readyAt ? ago(tenant.readyAt, now) : "—"}</dd>
            <dt>Quota</dt>
            <dd>
              {tenant.quota.callsPerMinute ?? "∞"}/min, {tenant.quota.callsPerMonth ?? "∞"}/month
            </dd>
            <dt>Idle policy</dt>
            <dd data-testid="idle-policy">
              {tenant.idle.pauseAfterSeconds === null && tenant.idle.stopAfterSeconds === null
                ? "never sleeps"
                : `pause after ${tenant.idle.pauseAfterSeconds === null ? "never" : `${tenant.idle.pauseAfterSeconds} s`}, stop after ${tenant.idle.stopAfterSeconds === null ? "never" : `${tenant.idle.stopAfterSeconds} s`} without traffic`}
              {tenant.idle.lastActiveAt ? <span className="muted"> (last traffic {ago(tenant.idle.lastActiveAt, now)})</span> : null}
            </dd>
            <dt>Webhook</dt>
            <dd className="break">{tenant.webhookUrl ?? "none"}</dd>
          </dl>
        </article>
      </div>
      {!gone ? <Actions tenant={tenant} onChanged={() => void load()} /> : null}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">
          Timeline <span className="muted small">{state === "live" ? "live" : state === "connecting" ? "connecting…" : ""}</span>
        </h2>
        {events.length === 0 ? (
          <p aria-busy={state === "connecting"}>No events yet.</p>
        ) : (
          <ol className="timeline" data-testid="timeline">
            {events.map((e) => (
              <li key={e.id}>
                <time dateTime={e.at} title={formatDateTime(e.at)}>
                  {ago(e.at, now)}
                </time>{" "}
                {e.from ? (
                  <>
                    <StatusBadge status={e.from} /> →{" "}
                  </>
                ) : null}
                <StatusBadge status={e.to} /> <span className="muted">{e.reason}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      {tenant.status !== "destroyed" ? (
        <Deployments envId={envId} liveRevision={tenant.revision} canChange={!gone && tenant.status !== "failed"} refreshKey={events.length} onChanged={() => void load()} />
      ) : null}
      {tenant.status !== "destroyed" ? <Logs envId={envId} /> : null}
      <Webhooks envId={envId} refreshKey={events.length} />
    </main>
  );
}

function Actions({ tenant, onChanged }: { tenant: TenantView; onChanged: () => void }) {
  const [dialog, setDialog] = useState<"rotate" | "destroy" | null>(null);
  const [rotated, setRotated] = useState<TenantWithKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [typed, setTyped] = useState("");
  const close = () => {
    setDialog(null);
    setError(null);
    setTyped("");
  };

  /** One action at a time: busy while it runs; the dialog closes when it succeeds, shows the API's error when not. */
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      close();
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const rotate = () =>
    act(async () => {
      const { tenant: t } = await call(api.POST("/api/v1/tenant/{id}/rotate-key", { params: { path: { id: tenant.envId } } }));
      setRotated(t);
    });
  // Scale to zero (docs/idle.md): no dialog, both are undone by the other (or by a request).
  const sleep = () =>
    void act(async () => {
      await call(api.POST("/api/v1/tenant/{id}/sleep", { params: { path: { id: tenant.envId } }, body: { mode: "paused" } }));
    });
  const wake = () =>
    void act(async () => {
      await call(api.POST("/api/v1/tenant/{id}/wake", { params: { path: { id: tenant.envId } } }));
    });
  const asleep = tenant.status === "paused" || tenant.status === "stopped";
  const destroy = (e: FormEvent) => {
    e.preventDefault();
    if (typed !== tenant.name) return;
    void act(async () => {
      await call(api.DELETE("/api/v1/tenant/{id}", { params: { path: { id: tenant.envId } } }));
    });
  };

  return (
    <section aria-label="Actions">
      {!dialog ? <ErrorMessage error={error} /> : null}
      {rotated?.apiKey ? <RevealOnce label={`New API key of ${rotated.name}`} secret={rotated.apiKey} onDone={() => setRotated(null)} /> : null}
      <div className="actions">
        {asleep ? (
          <button type="button" onClick={wake} disabled={busy} aria-busy={busy}>
            Wake
          </button>
        ) : tenant.status === "ready" ? (
          <button type="button" className="secondary" onClick={sleep} disabled={busy} aria-busy={busy} title="pause it now; its next request wakes it">
            Sleep
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={() => setDialog("rotate")}>
          Rotate key
        </button>
        <button type="button" className="danger" onClick={() => setDialog("destroy")}>
          Destroy
        </button>
      </div>
      <Dialog open={dialog === "rotate"} title={`Rotate the API key of ${tenant.name}?`} onClose={close}>
        <p>The current key stops working at once. A new revision with the new key is started beside the running one and switched to once healthy, on the same port; the new key is shown once.</p>
        <ErrorMessage error={error} />
        <footer>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          <button type="button" onClick={() => void rotate()} disabled={busy} aria-busy={busy}>
            Rotate key
          </button>
        </footer>
      </Dialog>
      <Dialog open={dialog === "destroy"} title={`Destroy ${tenant.name}?`} onClose={close}>
        <form onSubmit={destroy}>
          <p>Its container and port go away; its usage stays for billing. This cannot be undone.</p>
          <label htmlFor="confirm-name">
            Type <strong>{tenant.name}</strong> to confirm
          </label>
          <input id="confirm-name" autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} />
          <ErrorMessage error={error} />
          <footer>
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={busy || typed !== tenant.name} aria-busy={busy}>
              Destroy {tenant.name}
            </button>
          </footer>
        </form>
      </Dialog>
    </section>
  );
}

function Logs({ envId }: { envId: number }) {
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    setLines([]);
    const stop = new AbortController();
    followLogs(envId, { onLines: (fresh) => setLines((l) => [...l, ...fresh].slice(-MAX_LOG_LINES)), onError: setError }, stop.signal);
    return () => stop.abort();
  }, [envId]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  return (
    <section aria-labelledby="logs-title">
      <div className="page-head">
        <h2 id="logs-title">Logs</h2>
        <label>
          <input type="checkbox" role="switch" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      <ErrorMessage error={error} />
      <pre ref={box} className="logs" tabIndex={0} aria-label="Log lines" data-testid="logs">
        {lines.length ? lines.join("\n") : "No log lines yet."}
      </pre>
    </section>
  );
}

/** Deliveries are attempted after the state change that caused them: re-read on each change, and every 10 s. */
const WEBHOOKS_REFRESH_MS = 10_000;

function Webhooks({ envId, refreshKey }: { envId: number; refreshKey: number }) {
  const [events, setEvents] = useState<WebhookEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      call(api.GET("/api/v1/tenant/{id}/webhooks", { params: { path: { id: envId }, query: { limit: 50 } } }))
        .then((r) => {
          setEvents(r.events);
          setError(null);
        })
        .catch((err: unknown) => setError(errorMessage(err)));
    void load();
    const t = window.setInterval(() => void load(), WEBHOOKS_REFRESH_MS);
    return () => window.clearInterval(t);
  }, [envId, refreshKey]);
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhook deliveries</h2>
      <ErrorMessage error={error} />
      {events === null ? null : events.length === 0 ? (
        <EmptyState title="No webhook events">
          <p>Spawn a tenant with a webhook URL to be told when it is ready, fails, or is destroyed.</p>
        </EmptyState>
      ) : (
        <TableScroll label="Webhook deliveries">
          <table data-testid="webhooks">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {events.map((w) => (
                <tr key={w.id}>
                  <td>
                    <code>{w.type}</code>
                    <div className="muted small">{formatDateTime(w.createdAt)}</div>
                  </td>
                  <td>
                    <span className={`delivery delivery-${w.status}`}>{w.status}</span>
                  </td>
                  <td>
                    {w.attempts.length === 0 ? (
                      "none yet"
                    ) : (
                      <details>
                        <summary>
                          {w.attempts.length} attempt{w.attempts.length === 1 ? "" : "s"}
                        </summary>
                        <ol className="attempts">
                          {w.attempts.map((a) => (
                            <li key={a.attempt}>
                              #{a.attempt} {formatDateTime(a.at)}: {a.httpStatus !== null ? `HTTP ${a.httpStatus}` : "no answer"}
                              {a.error ? ` (${a.error})` : ""}, {a.durationMs} ms
                            </li>
                          ))}
                        </ol>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
