/** Usage: metered convergence calls per tenant and in total, for billing. */
import { unwrap, type ApiClient } from "./http.js";
import { envIdOf, type TenantId } from "./ids.js";
import type { CallOptions, UsageReport } from "./types.js";

export { envIdOf };

export interface UsageQuery extends CallOptions {
  /** Inclusive; default: the start of this month (UTC). */
  from?: Date | string;
  /** Exclusive; default: the start of next month (UTC). */
  to?: Date | string;
  /** Only this tenant: `"tenant_7"`, or its envId. */
  tenantId?: TenantId;
  /** `"day"` adds a per-day breakdown to each tenant. */
  granularity?: "total" | "day";
}

export class Usage {
  constructor(private readonly api: ApiClient) {}

  async get(query: UsageQuery = {}): Promise<UsageReport> {
    const { success: _, ...report } = await unwrap(
      this.api.GET("/api/v1/usage", {
        params: {
          query: {
            from: isoDate(query.from),
            to: isoDate(query.to),
            tenant_id: query.tenantId === undefined ? undefined : `tenant_${envIdOf(query.tenantId)}`,
            granularity: query.granularity,
          },
        },
        signal: query.signal,
      }),
    );
    return report;
  }
}

const isoDate = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : d);
