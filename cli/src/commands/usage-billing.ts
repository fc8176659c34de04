/** `convergence usage --billing`: what was reported to Stripe against what was metered, the drift against Stripe, and the payment state. */
import type { BillingReport } from "@convergence/sdk";
import { count, table } from "../format.js";

export function billingLines(b: BillingReport): string {
  const head = b.billing.enabled
    ? `Billing ${b.period.from.slice(0, 7)}: Stripe customer ${b.billing.stripeCustomerId ?? "(none linked)"}, status ${b.billing.status}, reported through ${b.billing.reportedThrough ?? "—"}`
    : "Billing: off on this platform (nothing is reported to Stripe)";
  const c = b.calls;
  const lines = [
    head,
    "",
    table(
      ["METERED", "REPORTED", "PENDING", "FAILED", "EXPIRED", "STRIPE", "DRIFT"],
      [[count(c.metered), count(c.reported), count(c.pending), count(c.failed), count(c.expired), b.stripe ? count(b.stripe.total) : "—", b.stripe ? String(b.stripe.drift) : "—"]],
    ),
  ];
  if (b.pendingReason) lines.push(`pending: ${b.pendingReason}`);
  if (b.stripe?.reason) lines.push(`drift: ${b.stripe.reason}`);
  for (const p of b.problems) lines.push(`${p.status}: ${p.identifier} (${p.calls} calls, hour ${p.hour}): ${p.reason ?? ""}`);
  return lines.join("\n");
}
