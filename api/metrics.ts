/**
 * The API's Prometheus endpoint: cluster-wide metrics read from Postgres and Redis (shared/metrics.ts),
 * at most once per METRICS_MIN_REFRESH_MS on a pool of their own (two connections), so a scrape
 * storm costs one refresh and never takes the connections requests need; plus this process's HTTP
 * request durations and process metrics. Served on the operations listener (api/ops.ts), never
 * the public port: on loopback without credentials, as scrape endpoints usually are, elsewhere
 * with the operator's. It carries counts by status and queue, never a tenant's name, key or URL.
 */
import type { Context } from "hono";
import { routePath } from "hono/route";
import { Gauge, type Metric } from "prom-client";
import type { AppContext } from "../shared/context.js";
import { createDb, sessionLimits } from "../shared/db/client.js";
import { createRegistry, httpDurationBuckets, registerClusterMetrics, RequestHistogram } from "../shared/metrics.js";

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** The application_name of the metrics pool's connections, to tell them apart in pg_stat_activity. */
export const METRICS_POOL_NAME = "convergence-api-metrics";
const RENDER_REUSE_MS = 1_000;

export function createApiMetrics(ctx: Pick<AppContext, "config" | "queues">, statusFeed: { watcherCount: number }) {
  const registry = createRegistry("api");
  const pool = createDb(ctx.config.DATABASE_URL, 2, { ...sessionLimits(ctx.config), application_name: METRICS_POOL_NAME });
  // The context's own queues: every queue of the job catalog, no second set.
  const cluster = registerClusterMetrics(registry, { db: pool.db, queues: ctx.queues.all, minRefreshMs: ctx.config.METRICS_MIN_REFRESH_MS });
  const httpDuration = new RequestHistogram(
    "convergence_http_request_duration_seconds",
    "API request duration by method, route pattern and status",
    ["method", "route", "status"],
    httpDurationBuckets,
  );
  registry.registerMetric(httpDuration as unknown as Metric);
  new Gauge({
    name: "convergence_api_tenant_watchers",
    help: "Held status?wait= requests and open event streams in this API process",
    registers: [registry],
    collect() {
      this.set(statusFeed.watcherCount);
    },
  });
  let rendered: { at: number; body: Promise<{ body: string; contentType: string }> } | null = null;
  const reuseMs = Math.min(RENDER_REUSE_MS, ctx.config.METRICS_MIN_REFRESH_MS);
  return {
    registry,
    /** Called by the request middleware once the response is known. */
    observeRequest(c: Context, seconds: number) {
      httpDuration.observe([c.req.method, routeLabel(c), String(c.res.status)], seconds);
    },
    /**
     * The Prometheus text. Rendering costs the event loop ~10 ms, so a storm of scrapes must not
     * render once each: concurrent scrapes share one render, and a body is served again for
     * RENDER_REUSE_MS (or METRICS_MIN_REFRESH_MS if shorter: process metrics a second old are as good to a scraper as fresh ones).
     */
    render(): Promise<{ body: string; contentType: string }> {
      if (rendered && performance.now() - rendered.at < reuseMs) return rendered.body;
      const body = cluster.refresh().then(async () => ({ body: await registry.metrics(), contentType: registry.contentType }));
      rendered = { at: performance.now(), body };
      body.then(
        () => rendered?.body === body && (rendered.at = performance.now()),
        () => rendered?.body === body && (rendered = null),
      );
      return body;
    },
    async close(): Promise<void> {
      await pool.sql.end({ timeout: 5 });
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
