/**
 * A tenant's revisions (docs/deploys.md): the list with the live one marked, a revision's build
 * and start log, rolling back to a revision that went live, and the app's own environment
 * variables (names with masked values; setting them makes a new revision). While a revision is
 * on its way (queued, building, starting) the list and its log are re-read every 2 s, so its
 * progress shows until it is live or failed.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, call, errorMessage, type Deployment, type DeploymentStatus } from "../api.js";
import { Dialog, EmptyState, ErrorMessage, TableScroll } from "../components.js";
import { ago, formatDateTime, useNow } from "../format.js";

const BUSY_REFRESH_MS = 2_000;
const IDLE_REFRESH_MS = 15_000;
const PAGE = 20;
const inProgress = (s: DeploymentStatus) => s === "queued" || s === "building" || s === "starting";

export function DeploymentBadge({ status }: { status: DeploymentStatus }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

const SOURCES: Record<Deployment["source"], string> = {
  template: "template",
  upload: "upload",
  rollback: "rollback",
  env: "env change",
  "rotate-key": "key rotation",
};

/**
 * The revisions section and the environment variables form of one tenant. `refreshKey` changes
 * when the tenant's state does; `onChanged` reloads the tenant (its live revision).
 */
export function Deployments({ envId, liveRevision, canChange, refreshKey, onChanged }: { envId: number; liveRevision: number; canChange: boolean; refreshKey: number; onChanged: () => void }) {
  const [list, setList] = useState<Deployment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [logOf, setLogOf] = useState<number | null>(null);
  const [rollbackTo, setRollbackTo] = useState<Deployment | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      const r = await call(api.GET("/api/v1/tenant/{id}/deployments", { params: { path: { id: envId }, query: { limit: PAGE } } }));
      setList(r.deployments);
      setError(null);
      return r.deployments;
    } catch (err) {
      setError(errorMessage(err));
      return null;
    }
  }, [envId]);

  const running = list?.some((d) => inProgress(d.status)) ?? false;
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey and tick are reasons to read again
  useEffect(() => {
    let wasRunning = running;
    void load();
    const t = window.setInterval(
      () =>
        void load().then((l) => {
          const still = l?.some((d) => inProgress(d.status)) ?? false;
          // A revision finished: the tenant's live revision changed (or not); show it.
          if (wasRunning && !still) onChanged();
          wasRunning = still;
        }),
      running ? BUSY_REFRESH_MS : IDLE_REFRESH_MS,
    );
    return () => window.clearInterval(t);
  }, [load, running, refreshKey, tick]);

  const closeRollback = () => {
    setRollbackTo(null);
    setActionError(null);
  };
  const rollback = async () => {
    if (!rollbackTo) return;
    setBusy(true);
    try {
      const r = await call(api.POST("/api/v1/tenant/{id}/deployments/{revision}/rollback", { params: { path: { id: envId, revision: rollbackTo.revision } } }));
      closeRollback();
      setLogOf(r.deployment.revision);
      setTick((t) => t + 1);
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section aria-labelledby="revisions-title">
        <h2 id="revisions-title">
          Revisions{" "}
          <span className="muted small" data-testid="live-revision">
            live: revision {liveRevision}
          </span>
        </h2>
        <ErrorMessage error={error} />
        {list === null ? (
          <p aria-busy={!error}>{error ? "" : "Loading revisions…"}</p>
        ) : list.length === 0 ? (
          <EmptyState title="No revisions">
            <p>Deploy your code with `convergence deploy` or the SDK's `tenants.deploy`.</p>
          </EmptyState>
        ) : (
          <TableScroll label="Revisions">
            <table data-testid="revisions">
              <thead>
                <tr>
                  <th scope="col">Revision</th>
                  <th scope="col">Status</th>
                  <th scope="col">Source</th>
                  <th scope="col">Created</th>
                  <th scope="col">Live since</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.map((d) => (
                  <tr key={d.revision} data-revision={d.revision} aria-current={d.revision === liveRevision ? "true" : undefined}>
                    <th scope="row">
                      {d.revision}
                      {d.revision === liveRevision ? <strong className="live-mark"> (live)</strong> : null}
                    </th>
                    <td>
                      <DeploymentBadge status={d.status} />
                      {inProgress(d.status) ? (
                        <span aria-busy="true" className="muted small">
                          {" "}
                          in progress
                        </span>
                      ) : null}
                      {d.error ? <div className="error small">{d.error}</div> : null}
                    </td>
                    <td>
                      {SOURCES[d.source]}
                      {d.rollbackOf !== null ? ` of ${d.rollbackOf}` : ""}
                    </td>
                    <td title={formatDateTime(d.createdAt)}>{ago(d.createdAt, now)}</td>
                    <td title={d.liveAt ? formatDateTime(d.liveAt) : undefined}>{d.liveAt ? ago(d.liveAt, now) : "—"}</td>
                    <td>
                      <div className="row-actions">
                        <button type="button" className="secondary outline small" onClick={() => setLogOf(d.revision)} aria-label={`Build log of revision ${d.revision}`}>
                          Build log
                        </button>
                        {canChange && d.liveAt !== null && d.image !== null && d.revision !== liveRevision ? (
                          <button type="button" className="secondary small" onClick={() => setRollbackTo(d)} aria-label={`Roll back to revision ${d.revision}`}>
                            Roll back
                          </button>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        {!rollbackTo ? <ErrorMessage error={actionError} /> : null}
        <Dialog open={rollbackTo !== null} title={`Roll back to revision ${rollbackTo?.revision ?? ""}?`} onClose={closeRollback}>
          <p>
            A new revision is made from revision {rollbackTo?.revision}'s image (no rebuild). It is started beside the live one and switched to only once it is healthy; the live one keeps
            serving until then.
          </p>
          <ErrorMessage error={actionError} />
          <footer>
            <button type="button" className="secondary" onClick={closeRollback}>
              Cancel
            </button>
            <button type="button" onClick={() => void rollback()} disabled={busy} aria-busy={busy}>
              Roll back
            </button>
          </footer>
        </Dialog>
        {logOf !== null ? <BuildLog envId={envId} revision={logOf} onClose={() => setLogOf(null)} /> : null}
      </section>
      <EnvVars envId={envId} canChange={canChange} onSet={() => setTick((t) => t + 1)} />
    </>
  );
}

function BuildLog({ envId, revision, onClose }: { envId: number; revision: number; onClose: () => void }) {
  const [log, setLog] = useState<{ log: string; status: DeploymentStatus; error: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setLog(null);
    let timer: number | undefined;
    let stopped = false;
    const load = async () => {
      try {
        const r = await call(api.GET("/api/v1/tenant/{id}/deployments/{revision}/logs", { params: { path: { id: envId, revision } } }));
        if (stopped) return;
        setLog(r);
        setError(null);
        if (inProgress(r.status)) timer = window.setTimeout(() => void load(), BUSY_REFRESH_MS);
      } catch (err) {
        if (!stopped) setError(errorMessage(err));
      }
    };
    void load();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [envId, revision]);
  return (
    <article aria-labelledby="build-log-title">
      <div className="page-head">
        <h3 id="build-log-title">Build log of revision {revision}</h3>
        {log ? <DeploymentBadge status={log.status} /> : null}
        <button type="button" className="secondary outline small" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorMessage error={error} />
      {log?.error ? <p className="error">{log.error}</p> : null}
      <pre className="logs" tabIndex={0} aria-label={`Build log of revision ${revision}`} data-testid="build-log">
        {log === null ? "Loading…" : log.log || "No log lines yet."}
      </pre>
    </article>
  );
}

const NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * The app's variables: names and masked hints (the API never returns a value). Setting replaces
 * them all, so each variable to keep is typed again with its value; an empty form is refused
 * rather than sent as "no variables".
 */
function EnvVars({ envId, canChange, onSet }: { envId: number; canChange: boolean; onSet: () => void }) {
  const [vars, setVars] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<Array<{ name: string; value: string }>>([{ name: "", value: "" }]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setVars((await call(api.GET("/api/v1/tenant/{id}/env", { params: { path: { id: envId } } }))).vars);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [envId]);
  useEffect(() => void load(), [load]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const filled = rows.filter((r) => r.name.trim() !== "");
    if (filled.length === 0) {
      setError("Name at least one variable: setting replaces them all");
      return;
    }
    const bad = filled.find((r) => !NAME.test(r.name.trim()));
    if (bad) {
      setError(`"${bad.name}" is not a valid name: capital letters, digits and _, not starting with a digit`);
      return;
    }
    setBusy(true);
    setDone(null);
    try {
      const r = await call(api.PUT("/api/v1/tenant/{id}/env", { params: { path: { id: envId } }, body: { vars: Object.fromEntries(filled.map((x) => [x.name.trim(), x.value])) } }));
      setRows([{ name: "", value: "" }]);
      setDone(`Revision ${r.deployment.revision} is on its way with these variables.`);
      setError(null);
      await load();
      onSet();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const setRow = (i: number, patch: Partial<{ name: string; value: string }>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <section aria-labelledby="env-title">
      <h2 id="env-title">Environment variables</h2>
      {vars === null ? null : Object.keys(vars).length === 0 ? (
        <p>The app has no variables of its own.</p>
      ) : (
        <TableScroll label="Environment variables">
          <table data-testid="env-vars">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value (masked)</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(vars).map(([name, hint]) => (
                <tr key={name}>
                  <td>
                    <code>{name}</code>
                  </td>
                  <td>
                    <code>{hint}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canChange ? (
        <form onSubmit={(e) => void submit(e)} aria-label="Set environment variables">
          <p className="muted small">
            Setting replaces all of the app's variables (values are stored encrypted and never shown again) and makes a new revision, switched to without downtime. The platform's own
            (CONVERGENCE_*, TENANT_*, PORT, NODE_ENV) cannot be set.
          </p>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
            <fieldset key={i} className="grid env-row">
              <label>
                Name
                <input value={r.name} autoComplete="off" spellCheck={false} placeholder="GREETING" onChange={(e) => setRow(i, { name: e.target.value })} />
              </label>
              <label>
                Value
                <input type="password" value={r.value} autoComplete="off" onChange={(e) => setRow(i, { value: e.target.value })} />
              </label>
            </fieldset>
          ))}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setRows((rs) => [...rs, { name: "", value: "" }])}>
              Add a variable
            </button>
            <button type="submit" disabled={busy} aria-busy={busy}>
              Set variables
            </button>
          </div>
          <ErrorMessage error={error} />
          <p aria-live="polite" className="muted">
            {done ?? ""}
          </p>
        </form>
      ) : (
        <ErrorMessage error={error} />
      )}
    </section>
  );
}
