/**
 * The organisation: its name and token prefix, and each limit next to what is used of it now
 * (GET /api/v1/org). Over a limit the API answers 429 naming it; the operator sets an
 * organisation's own limits (npm run org -- set-limits), marked "set for you" here.
 */
import { useEffect, useState } from "react";
import { api, call, errorMessage } from "../api.js";
import { ErrorMessage, TableScroll, usePageTitle } from "../components.js";
import { formatDateTime, formatNumber } from "../format.js";

type OrgAnswer = Awaited<ReturnType<typeof loadOrganisation>>;
type LimitName = keyof OrgAnswer["limits"];

const loadOrganisation = () => call(api.GET("/api/v1/org"));

/** Each limit, in the order a user meets them, with what counts against it now (rates have no "now"). */
const rows: Array<{ limit: LimitName; label: string; used?: keyof OrgAnswer["usage"]; per?: string }> = [
  { limit: "maxTenants", label: "Live tenants", used: "liveTenants" },
  { limit: "spawnsPerMinute", label: "Spawns", per: "a minute" },
  { limit: "destroysPerMinute", label: "Destroys", per: "a minute" },
  { limit: "rotationsPerMinute", label: "Key rotations", per: "a minute" },
  { limit: "logsPerMinute", label: "Log reads", per: "a minute" },
  { limit: "deploysPerMinute", label: "Deploys, rollbacks and env changes", per: "a minute" },
  { limit: "maxEventStreams", label: "Open event streams", used: "eventStreams" },
  { limit: "maxHeldWaits", label: "Held status requests", used: "heldWaits" },
  { limit: "maxLogFollows", label: "Followed log streams", used: "logFollows" },
];

export function Organisation() {
  const heading = usePageTitle("Organisation");
  const [org, setOrg] = useState<OrgAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let left = false;
    loadOrganisation()
      .then((o) => left || setOrg(o))
      .catch((err: unknown) => left || setError(errorMessage(err)));
    return () => {
      left = true;
    };
  }, []);

  return (
    <main className="container">
      <h1 ref={heading} tabIndex={-1}>
        Organisation
      </h1>
      <ErrorMessage error={error} />
      {org === null ? (
        error ? null : (
          <p aria-busy="true">Loading the organisation…</p>
        )
      ) : (
        <>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{org.organisation.name}</dd>
            <dt>Id</dt>
            <dd>{org.organisation.id}</dd>
            <dt>Token</dt>
            <dd>
              <code>{org.organisation.tokenPrefix}…</code>
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(org.organisation.createdAt)}</dd>
          </dl>
          <h2>Limits and usage</h2>
          <p className="muted">Over a limit, the API answers 429 and names the limit. Rates allow bursts of the same size.</p>
          <TableScroll label="Limits and usage">
            <table className="striped" data-testid="limits">
              <thead>
                <tr>
                  <th scope="col">Limit</th>
                  <th scope="col" className="num">
                    Used now
                  </th>
                  <th scope="col" className="num">
                    Allowed
                  </th>
                  <th scope="col">Set by</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const allowed = org.limits[r.limit];
                  const used = r.used ? org.usage[r.used] : null;
                  return (
                    <tr key={r.limit} data-limit={r.limit}>
                      <th scope="row">{r.label}</th>
                      <td className="num">{used === null ? <span className="muted">—</span> : formatNumber(used)}</td>
                      <td className="num">
                        {formatNumber(allowed)}
                        {r.per ? ` ${r.per}` : ""}
                      </td>
                      <td>{org.overridden.includes(r.limit) ? "set for you" : <span className="muted">platform default</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </main>
  );
}
