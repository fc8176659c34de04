/**
 * The API's Prometheus endpoint: cluster-wide metrics read from Postgres and Redis at scrape time
 * (shared/metrics.ts), plus this process's HTTP request durations and process metrics. Served on
 * the operations listener (api/ops.ts), never the public port: on loopback without credentials, as
 * scrape endpoints usually are, elsewhere with the operator's. It carries counts by status and
 * queue, never a tenant's name, key or URL.
 */
import type { Context } from "hono";
import { routePath } from "hono/route";
import { Gauge, Histogram } from "prom-client";
import type { AppContext } from "../shared/context.js";
import { createRegistry, httpDurationBuckets, registerClusterMetrics } from "../shared/metrics.js";

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

export function createApiMetrics(ctx: Pick<AppContext, "db" | "queues">, statusFeed: { watcherCount: number }) {
  const registry = createRegistry("api");
  // The context's own queues: every queue of the job catalog, no second set.
  const cluster = registerClusterMetrics(registry, { db: ctx.db, queues: ctx.queues.all });
  const httpDuration = new Histogram({
    name: "convergence_http_request_duration_seconds",
    help: "API request duration by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: httpDurationBuckets,
    registers: [registry],
  });
  new Gauge({
    name: "convergence_api_tenant_watchers",
    help: "Held status?wait= requests and open event streams in this API process",
    registers: [registry],
    collect() {
      this.set(statusFeed.watcherCount);
    },
  });
  return {
    registry,
    /** Called by the request middleware once the response is known. */
    observeRequest(c: Context, seconds: number) {
      httpDuration.observe({ method: c.req.method, route: routeLabel(c), status: String(c.res.status) }, seconds);
    },
    async render(): Promise<{ body: string; contentType: string }> {
      await cluster.refresh();
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}

/**
 * The matched route pattern (`/api/v1/tenant/:id/status`), never the raw path: ids in labels
 * would make one time series per tenant. Unmatched paths share one label.
 */
function routeLabel(c: Context): string {
  const route = routePath(c, -1);
  return !route || route === "*" || route === "/*" ? "unmatched" : route;
}
