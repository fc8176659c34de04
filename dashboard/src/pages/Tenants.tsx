/**
 * The organisation's tenants, live: listed once the event stream is caught up, then kept current
 * by every transition it brings (no reload, no polling of the list for state changes). Health
 * counters change without a transition, so the list is also re-read every 30 s.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link } from "wouter";
import { api, call, errorMessage, type Tenant, type TenantStatus } from "../api.js";
import { EmptyState, ErrorMessage, StatusBadge, TableScroll, usePageTitle } from "../components.js";
import { age, formatDateTime, useNow } from "../format.js";
import { useOrganisationEvents } from "../live.js";

const statuses: TenantStatus[] = ["pending", "provisioning", "starting", "ready", "unhealthy", "paused", "stopped", "waking", "failed", "destroying", "destroyed"];
type Filter = "active" | "all" | TenantStatus;
const HEALTH_REFRESH_MS = 30_000;

async function listAll(): Promise<Tenant[]> {
  const all: Tenant[] = [];
  let cursor: number | undefined;
  do {
    const page = await call(api.GET("/api/v1/tenant", { params: { query: { limit: 100, cursor } } }));
    all.push(...page.tenants);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

/** The newer of two views of a tenant wins (an event and a list can arrive in either order). */
const newer = (a: Tenant | undefined, b: Tenant) => (!a || Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a);

export function Tenants() {
  const heading = usePageTitle("Tenants");
  const now = useNow();
  const [tenants, setTenants] = useState<Map<number, Tenant> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>("active");

  const reload = useCallback(async () => {
    try {
      const list = await listAll();
      setTenants((prev) => new Map(list.map((t) => [t.envId, newer(prev?.get(t.envId), t)])));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  const stream = useOrganisationEvents(
    () => void reload(),
    (e) => setTenants((prev) => new Map(prev ?? []).set(e.envId, newer(prev?.get(e.envId), e.tenant))),
  );
  useEffect(() => {
    const t = window.setInterval(() => void reload(), HEALTH_REFRESH_MS);
    return () => window.clearInterval(t);
  }, [reload]);

  const rows = useMemo(() => {
    const list = [...(tenants?.values() ?? [])].sort((a, b) => b.envId - a.envId);
    if (filter === "all") return list;
    if (filter === "active") return list.filter((t) => t.status !== "destroyed");
    return list.filter((t) => t.status === filter);
  }, [tenants, filter]);

  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const t of tenants?.values() ?? []) c.set(t.status, (c.get(t.status) ?? 0) + 1);
    return c;
  }, [tenants]);

  return (
    <main className="container">
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>
          Tenants
        </h1>
        <span className={`live live-${stream}`} role="status" aria-live="polite">
          {stream === "live" ? "Live" : stream === "connecting" ? "Connecting…" : "Disconnected"}
        </span>
        <Link href="/spawn" role="button">
          Spawn a tenant
        </Link>
      </div>
      <label className="filter">
        Status
        <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} aria-label="Filter by status">
          <option value="active">All but destroyed</option>
          <option value="all">All</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s} ({counts.get(s) ?? 0})
            </option>
          ))}
        </select>
      </label>
      <ErrorMessage error={error} />
      {tenants === null ? (
        <p aria-busy="true">Loading tenants…</p>
      ) : rows.length === 0 ? (
        tenants.size === 0 ? (
          <EmptyState title="No tenants yet">
            <p>
              A tenant is a starter app in its own container, with its own port and API key. <Link href="/spawn">Spawn your first tenant</Link>.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title={`No tenants ${filter === "active" ? "other than destroyed ones" : `are ${filter}`}`}>
            <p>Choose another status above.</p>
          </EmptyState>
        )
      ) : (
        <TableScroll label="Tenants">
          <table className="striped as-cards" data-testid="tenants">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">URL / port</th>
                <th scope="col" className="wide">
                  Template
                </th>
                <th scope="col" className="wide">
                  Age
                </th>
                <th scope="col">Health</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.envId} data-env-id={t.envId}>
                  <th scope="row">
                    <Link href={`/tenants/${t.envId}`}>{t.name}</Link> <span className="muted small">{t.tenantId}</span>
                  </th>
                  <td data-label="Status">
                    <StatusBadge status={t.status} />
                  </td>
                  <td data-label="URL / port">
                    <Address tenant={t} />
                  </td>
                  <td className="wide" data-label="Template">
                    {t.language}/{t.framework}
                  </td>
                  <td className="wide" data-label="Age" title={formatDateTime(t.createdAt)}>
                    {age(t.createdAt, now)}
                  </td>
                  <td data-label="Health">
                    <Health tenant={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </main>
  );
}

/** The tenant's HTTPS address through the ingress, and the host port it also answers on. */
function Address({ tenant: t }: { tenant: Tenant }) {
  if (!t.url && !t.port) return <>—</>;
  return (
    <>
      {t.url ? <a href={t.url}>{t.url.replace(/^https:\/\//, "")}</a> : null}
      {t.url && t.port ? " " : null}
      {t.port ? (
        <span className="muted small" title="Host port">
          :{t.port}
        </span>
      ) : null}
    </>
  );
}

export function Health({ tenant }: { tenant: Tenant }) {
  const { consecutiveFailures: failures, restartCount: restarts } = tenant.health;
  const checks = failures > 0 ? `${failures} failed check${failures === 1 ? "" : "s"}` : tenant.health.lastCheckAt ? "passing" : "not checked yet";
  const text = `${checks}, ${restarts} restart${restarts === 1 ? "" : "s"}`;
  return <span className={failures > 0 ? "health-bad" : undefined}>{text}</span>;
}
