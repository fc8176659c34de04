/**
 * The usage page's billing panel: for the month, calls reported to Stripe against calls metered
 * (and pending, failed, expired, with why), the drift against Stripe's own total, and whether the
 * organisation's invoices are paid (past due refuses new tenants).
 */
import { useEffect, useState } from "react";
import type { paths } from "@convergence/sdk";
import { api, call, errorMessage } from "../api.js";
import { ErrorMessage } from "../components.js";
import { formatNumber } from "../format.js";

type BillingReport = paths["/api/v1/billing"]["get"]["responses"][200]["content"]["application/json"];

export function BillingPanel({ month }: { month: string }) {
  const [report, setReport] = useState<BillingReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!/^\d{4}-\d{2}$/.test(month)) return;
    const stop = new AbortController();
    setError(null);
    call(api.GET("/api/v1/billing", { params: { query: { period: month } }, signal: stop.signal }))
      .then(setReport)
      .catch((err: unknown) => {
        if (!stop.signal.aborted) setError(errorMessage(err));
      });
    return () => stop.abort();
  }, [month]);

  if (error) return <ErrorMessage error={error} />;
  if (!report) return null;
  const { billing, calls, stripe } = report;
  return (
    <section aria-labelledby="billing-title" data-testid="billing-panel">
      <h2 id="billing-title">Billing ({month})</h2>
      {!billing.enabled ? (
        <p className="muted">Billing is off on this platform: nothing is reported to Stripe.</p>
      ) : (
        <>
          <p data-testid="billing-status">
            Payment status: <strong>{billing.status === "past_due" ? "past due: new tenants are refused until the invoice is paid" : "active"}</strong>
            {billing.stripeCustomerId ? ` · Stripe customer ${billing.stripeCustomerId}` : " · no Stripe customer linked yet"}
            {billing.reportedThrough ? ` · reported through ${new Date(billing.reportedThrough).toLocaleString()}` : ""}
          </p>
          <p data-testid="billing-calls">
            <strong>{formatNumber(calls.reported)}</strong> of {formatNumber(calls.metered)} succeeded calls reported to Stripe; {formatNumber(calls.pending)} pending,{" "}
            {formatNumber(calls.failed)} failed, {formatNumber(calls.expired)} expired.
            {report.pendingReason ? <span className="muted small"> Pending: {report.pendingReason}.</span> : null}
          </p>
          {stripe ? (
            <p data-testid="billing-drift">
              Stripe's own total: {formatNumber(stripe.total)} (drift {stripe.drift}, checked {new Date(stripe.checkedAt).toLocaleString()}){stripe.reason ? `: ${stripe.reason}` : "."}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
