/**
 * Usage for billing: per-tenant totals for a chosen period, and a per-day chart of convergence
 * calls (succeeded, errors, refused, aborted) for the organisation or one tenant, drawn by Chart.js.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { api, call, errorMessage, type UsageReport } from "../api.js";
import { EmptyState, ErrorMessage, StatusBadge, TableScroll, usePageTitle } from "../components.js";
import { formatNumber } from "../format.js";
import { BillingPanel } from "./UsageBilling.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** The longest period the API reports on at once (GET /api/v1/usage answers 400 past it). */
const MAX_PERIOD_DAYS = 400;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
function thisMonth(): { from: string; to: string } {
  const now = new Date();
  return {
    from: isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))),
    to: isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0))),
  };
}
/** The inclusive last day the form shows → the API's exclusive `to`. */
const dayAfter = (day: string) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));

interface Day {
  day: string;
  succeeded: number;
  errors: number;
  refused: number;
}

/** Every day of the period, with zeroes where nothing happened, summed over the chosen tenants. */
function perDay(report: UsageReport, from: string, to: string, envId: number | "all"): Day[] {
  const days = new Map<string, Day>();
  for (let d = from; d <= to; d = dayAfter(d)) days.set(d, { day: d, succeeded: 0, errors: 0, refused: 0 });
  for (const t of report.tenants) {
    if (envId !== "all" && t.envId !== envId) continue;
    for (const d of t.days ?? []) {
      const day = days.get(d.day.slice(0, 10));
      if (!day) continue;
      day.succeeded += d.succeeded;
      day.errors += d.errors;
      day.refused += d.refused;
    }
  }
  return [...days.values()];
}

export function Usage() {
  const heading = usePageTitle("Usage");
  const [period, setPeriod] = useState(thisMonth);
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chartTenant, setChartTenant] = useState<number | "all">("all");

  useEffect(() => {
    if (!period.from || !period.to || period.from > period.to) {
      setError("Choose a first day on or before the last day.");
      return;
    }
    if (Date.parse(dayAfter(period.to)) - Date.parse(period.from) > MAX_PERIOD_DAYS * 86_400_000) {
      setError(`Choose at most ${MAX_PERIOD_DAYS} days: longer periods are asked for in parts.`);
      return;
    }
    const stop = new AbortController();
    setError(null);
    call(api.GET("/api/v1/usage", { params: { query: { from: period.from, to: dayAfter(period.to), granularity: "day" } }, signal: stop.signal }))
      .then(setReport)
      .catch((err: unknown) => {
        if (!stop.signal.aborted) setError(errorMessage(err));
      });
    return () => stop.abort();
  }, [period]);

  const days = useMemo(() => (report ? perDay(report, period.from, period.to, chartTenant) : []), [report, period, chartTenant]);
  const used = report?.tenants.filter((t) => t.calls + t.refused > 0) ?? [];

  return (
    <main className="container">
      <h1 ref={heading} tabIndex={-1}>
        Usage
      </h1>
      <form className="grid period" onSubmit={(e) => e.preventDefault()} aria-label="Period">
        <label>
          From
          <input type="date" value={period.from} max={period.to} onChange={(e) => setPeriod((p) => ({ ...p, from: e.target.value }))} />
        </label>
        <label>
          To (inclusive)
          <input type="date" value={period.to} min={period.from} onChange={(e) => setPeriod((p) => ({ ...p, to: e.target.value }))} />
        </label>
      </form>
      <ErrorMessage error={error} />
      {report === null ? (
        error ? null : (
          <p aria-busy="true">Loading usage…</p>
        )
      ) : (
        <>
          <section aria-labelledby="totals-title">
            <h2 id="totals-title">Totals</h2>
            <p data-testid="usage-totals">
              <strong>{formatNumber(report.totals.calls)}</strong> billed calls ({formatNumber(report.totals.succeeded)} succeeded, {formatNumber(report.totals.errors)} errors),{" "}
              {formatNumber(report.totals.refused)} refused, {formatNumber(report.totals.aborted)} aborted (stopped by their budget or a client that left; not billed),{" "}
              {formatNumber(report.totals.tokensIn + report.totals.tokensOut)} tokens.
            </p>
          </section>
          <BillingPanel month={period.from.slice(0, 7)} />
          <section aria-labelledby="chart-title">
            <div className="page-head">
              <h2 id="chart-title">Calls per day</h2>
              <label>
                <span className="visually-hidden">Chart for</span>
                <select value={String(chartTenant)} onChange={(e) => setChartTenant(e.target.value === "all" ? "all" : Number(e.target.value))} aria-label="Chart for">
                  <option value="all">All tenants</option>
                  {report.tenants.map((t) => (
                    <option key={t.envId} value={t.envId}>
                      {t.name} ({t.tenantId})
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <UsageChart days={days} />
          </section>
          <section aria-labelledby="per-tenant-title">
            <h2 id="per-tenant-title">Per tenant</h2>
            {used.length === 0 ? (
              <EmptyState title="No convergence calls in this period">
                <p>Calls your tenants make to POST /api/v1/converge with their API keys are counted here.</p>
              </EmptyState>
            ) : (
              <TableScroll label="Usage per tenant">
                <table className="striped" data-testid="usage-table">
                  <thead>
                    <tr>
                      <th scope="col">Tenant</th>
                      <th scope="col" className="num">
                        Billed calls
                      </th>
                      <th scope="col" className="num">
                        Succeeded
                      </th>
                      <th scope="col" className="num">
                        Errors
                      </th>
                      <th scope="col" className="num">
                        Refused
                      </th>
                      <th scope="col" className="num">
                        Aborted
                      </th>
                      <th scope="col" className="num wide">
                        Tokens
                      </th>
                      <th scope="col" className="num wide">
                        Avg latency
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {used.map((t) => (
                      <tr key={t.envId}>
                        <th scope="row">
                          {t.name} <span className="muted small">{t.tenantId}</span> <StatusBadge status={t.status as never} />
                        </th>
                        <td className="num">{formatNumber(t.calls)}</td>
                        <td className="num">{formatNumber(t.succeeded)}</td>
                        <td className="num">{formatNumber(t.errors)}</td>
                        <td className="num">{formatNumber(t.refused)}</td>
                        <td className="num">{formatNumber(t.aborted)}</td>
                        <td className="num wide">{formatNumber(t.tokensIn + t.tokensOut)}</td>
                        <td className="num wide">{t.avgLatencyMs} ms</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
          </section>
        </>
      )}
    </main>
  );
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function UsageChart({ days }: { days: Day[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"bar"> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = days.map((d) => d.day.slice(5));
    c.data.datasets = [
      { label: "Succeeded", data: days.map((d) => d.succeeded), backgroundColor: css("--cvg-ok") || "#2e8b57" },
      { label: "Errors", data: days.map((d) => d.errors), backgroundColor: css("--cvg-bad") || "#c0392b" },
      { label: "Refused", data: days.map((d) => d.refused), backgroundColor: css("--cvg-warn") || "#d4a017" },
    ];
    c.update();
  }, [days]);
  const total = days.reduce((n, d) => n + d.succeeded + d.errors + d.refused, 0);
  return (
    <figure className="chart">
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={`Convergence calls per day: ${total} in this period`} data-testid="usage-chart" />
      </div>
      <figcaption className="muted small">Succeeded and errors are billed; refused calls (over a quota or rate limit) are not.</figcaption>
    </figure>
  );
}
