/** Billing: what was reported to Stripe against what was metered, the drift against Stripe, and the organisation's payment state. */
import { unwrap, type ApiClient } from "./http.js";
import type { BillingReport, CallOptions } from "./types.js";

export interface BillingQuery extends CallOptions {
  /** A UTC month, `YYYY-MM` (or a Date within it); default: this month. */
  period?: string | Date;
}

export class Billing {
  constructor(private readonly api: ApiClient) {}

  /** For the month: calls metered, reported, pending, failed and expired, the payment state, and Stripe's own total. */
  async get(query: BillingQuery = {}): Promise<BillingReport> {
    const period = query.period instanceof Date ? query.period.toISOString().slice(0, 7) : query.period;
    const { success: _, ...report } = await unwrap(this.api.GET("/api/v1/billing", { params: { query: { period } }, signal: query.signal }));
    return report;
  }

  /** For the platform operator: bills the organisation's usage to this Stripe customer (`cus_…`). */
  async linkCustomer(orgId: number, stripeCustomerId: string, options: CallOptions = {}): Promise<BillingReport["billing"]> {
    const { billing } = await unwrap(this.api.PUT("/api/v1/orgs/{id}/billing", { params: { path: { id: orgId } }, body: { stripeCustomerId }, signal: options.signal }));
    return billing;
  }
}
