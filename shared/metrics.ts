/**
 * Prometheus metrics (prom-client), in two kinds that are kept apart on purpose:
 *
 * - **Cluster metrics** are read from Postgres and Redis at scrape time (tenants by status,
 *   transitions, spawn→ready latency, health, queue depths, convergence calls, webhook
 *   deliveries). Postgres is the source of truth, so any API replica answers the same, nothing is
 *   lost when a process restarts, and no per-process counter has to be summed across replicas.
 *   They are served by the API's /metrics; with several API replicas, scrape one (or use max()).
 * - **Process metrics** are observed in the process that does the work: each worker's job
 *   durations and failures by queue and the spawn→ready latency of the provisions it finished
 *   (served on WORKER_METRICS_PORT), the API's HTTP request durations, and prom-client's default
 *   process metrics (CPU, RSS, event-loop lag). Prometheus sums them over processes.
 *
 * Both spawn→ready histograms measure the same thing, the time from the spawn request (tenant
 * row created) to the tenant's FIRST `ready` (a later re-provision does not count again):
 * `convergence_tenant_spawn_to_ready_seconds` (cluster, from tenant_events: the one to alert and
 * build dashboards on) and `convergence_worker_spawn_to_ready_seconds` (per worker process, for
 * comparing workers or hosts).
 */
import { sql } from "drizzle-orm";
import type { Queue } from "bullmq";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import type { Db } from "./db/client.js";
import { finalStatuses, runningStatuses, tenantStatuses } from "./tenant-state.js";
import { firstReadyHistogram } from "./tenants/first-ready.js";
import { withTimeout } from "./timeout.js";

/** Seconds from spawn to ready: image builds can take minutes, a warm start a couple of seconds. */
export const spawnToReadyBuckets = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300, 600];
export const jobDurationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
export const httpDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** BullMQ job states reported as queue depth. */
export const queueStates = ["waiting", "active", "delayed", "prioritized", "waiting-children", "failed", "completed"] as const;

/** A registry with prom-client's process metrics (CPU, memory, event loop, GC) and a `process` label. */
export function createRegistry(processRole: "api" | "worker"): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processRole });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * A histogram whose buckets are computed elsewhere (here: by SQL at scrape time) rather than
 * observed one value at a time. Rendered exactly like a prom-client histogram.
 */
class ComputedHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private snapshot: { buckets: number[]; count: number; sum: number } | null = null;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: number[],
  ) {}

  /** `buckets[i]` is how many values are ≤ upperBounds[i] (cumulative); null clears it. */
  set(snapshot: { buckets: number[]; count: number; sum: number } | null) {
    this.snapshot = snapshot;
  }

  reset() {
    this.snapshot = null;
  }

  async get() {
    const s = this.snapshot;
    const values = s ? histogramValues(this.name, this.upperBounds, {}, s) : [];
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** One label set's series as prom-client renders a histogram: `buckets[i]` cumulative, for upperBounds[i]. */
function histogramValues(name: string, upperBounds: readonly number[], labels: Record<string, string>, s: { buckets: number[]; count: number; sum: number }) {
  return [
    ...upperBounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: s.buckets[i] ?? 0 })),
    { metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: s.count },
    { metricName: `${name}_sum`, labels, value: s.sum },
    { metricName: `${name}_count`, labels, value: s.count },
  ];
}

/**
 * A histogram with labels whose observe() is a map lookup and a bucket search. prom-client's
 * observe() validates and hashes the labels on every call, child or not (~3 µs): too much for
 * one that runs on every request. Rendered exactly like a prom-client histogram.
 */
export class RequestHistogram<L extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly upperBounds: readonly number[],
  ) {}

  /** One value, for the label values given in `labelNames` order. */
  observe(labelValues: readonly string[], value: number): void {
    const key = labelValues.join("\u0000");
    let s = this.series.get(key);
    if (!s) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, labelValues[i] ?? ""]));
      this.series.set(key, (s = { labels, counts: this.upperBounds.map(() => 0), sum: 0, count: 0 }));
    }
    for (let i = 0; i < this.upperBounds.length; i++) {
      if (value <= this.upperBounds[i]!) {
        s.counts[i]!++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  reset(): void {
    this.series.clear();
  }

  async get() {
    const values = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      const buckets = s.counts.map((n) => (cumulative += n));
      values.push(...histogramValues(this.name, this.upperBounds, s.labels, { buckets, count: s.count, sum: s.sum }));
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export interface ClusterMetricsDeps {
  /** A small pool of its own (the API's: 2 connections), so scrapes never take the API's connections. */
  db: Db;
  /** Every queue of the job catalog (shared/jobs.ts). */
  queues: Queue[];
  /** Upper bound for one refresh's reads; a dependency that does not answer is reported down, not waited for. */
  timeoutMs?: number;
  /**
   * The cluster metrics are computed at most once per this interval: scrapes within it are served
   * what the last refresh read, and concurrent scrapes share the one refresh in flight.
   */
  minRefreshMs?: number;
}

export type ClusterMetrics = ReturnType<typeof registerClusterMetrics>;

/** Registers the cluster-wide metrics on `registry`; call `refresh()` before rendering each scrape. */
export function registerClusterMetrics(registry: Registry, deps: ClusterMetricsDeps) {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const minRefreshMs = deps.minRefreshMs ?? 0;
  const refreshes = new Counter({
    name: "convergence_metrics_refreshes_total",
    help: "Times the cluster metrics were read from Postgres and Redis (at most once per METRICS_MIN_REFRESH_MS, however many scrapes)",
    registers: [registry],
  });
  const sourceUp = new Gauge({
    name: "convergence_metrics_source_up",
    help: "Whether this scrape could read the source (postgres, redis); 0 means its metrics are missing from this scrape",
    labelNames: ["source"],
    registers: [registry],
  });
  const tenants = new Gauge({
    name: "convergence_tenants",
    help: "Tenants by status (destroyed rows are kept for billing history)",
    labelNames: ["status"],
    registers: [registry],
  });
  const transitions = new Counter({
    name: "convergence_tenant_transitions_total",
    help: "Recorded tenant state transitions by target status (e.g. to=unhealthy counts health-check failures that took a tenant down)",
    labelNames: ["to"],
    registers: [registry],
  });
  const spawnToReady = new ComputedHistogram(
    "convergence_tenant_spawn_to_ready_seconds",
    "Seconds from spawn request to a tenant's first ready, over all tenants (from tenant_events)",
    spawnToReadyBuckets,
  );
  registry.registerMetric(spawnToReady as unknown as Metric);
  const healthFailing = new Gauge({
    name: "convergence_tenants_failing_health_checks",
    help: "Ready or unhealthy tenants whose latest health check failed",
    registers: [registry],
  });
  const healthConsecutive = new Gauge({
    name: "convergence_tenant_health_check_consecutive_failures",
    help: "Sum over ready and unhealthy tenants of their consecutive failed health checks",
    registers: [registry],
  });
  const restarts = new Gauge({
    name: "convergence_tenant_container_restarts",
    help: "Sum over live tenants of the container restarts the platform made",
    registers: [registry],
  });
  const calls = new Counter({
    name: "convergence_calls_total",
    help: "Convergence calls by outcome (ok, error, refused, aborted), from the billing records",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const webhookAttempts = new Counter({
    name: "convergence_webhook_delivery_attempts_total",
    help: "Webhook delivery attempts by outcome: success (2xx), gone (410, stops retrying), http_error (other status), network_error (no answer)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const webhookEvents = new Gauge({
    name: "convergence_webhook_events",
    help: "Webhook events by delivery status (pending, delivered, failed)",
    labelNames: ["status"],
    registers: [registry],
  });
  const billingEvents = new Gauge({
    name: "convergence_billing_meter_events",
    help: "Stripe meter events in the billing outbox by status (pending, delivered, failed, expired); each carries one tenant-hour of calls",
    labelNames: ["status"],
    registers: [registry],
  });
  const billingCalls = new Gauge({
    name: "convergence_billing_calls",
    help: "Succeeded convergence calls in the billing outbox by status: pending (not yet accepted by Stripe), delivered, failed (refused by Stripe for good), expired (older than Stripe accepts)",
    labelNames: ["status"],
    registers: [registry],
  });
  const billingDrift = new Gauge({
    name: "convergence_billing_drift_calls",
    help: "Sum over organisations of |Stripe's total - reported| for this month and the last, as the last reconciliation found it (0: Stripe agrees)",
    registers: [registry],
  });
  const billingDrifting = new Gauge({
    name: "convergence_billing_orgs_drifting",
    help: "Organisation-months whose Stripe total differed from what was reported at the last reconciliation",
    registers: [registry],
  });
  const queueJobs = new Gauge({
    name: "convergence_queue_jobs",
    help: "Jobs per BullMQ queue and state",
    labelNames: ["queue", "state"],
    registers: [registry],
  });
  const fromPostgres = [
    tenants,
    transitions,
    healthFailing,
    healthConsecutive,
    restarts,
    calls,
    webhookAttempts,
    webhookEvents,
    spawnToReady,
    billingEvents,
    billingCalls,
    billingDrift,
    billingDrifting,
  ];

  async function readPostgres() {
    const running = [...runningStatuses];
    const rows = async <T>(q: ReturnType<typeof sql>) => (await deps.db.execute(q)) as unknown as T[];
    const [byStatus, byTransition, latency, health, byCallOutcome, byAttemptOutcome, byEventStatus, byBillingStatus, drift] = await Promise.all([
      rows<{ status: string; n: number }>(sql`select status, count(*)::int as n from tenants group by status`),
      rows<{ to: string; n: number }>(sql`select to_status as "to", count(*)::int as n from tenant_events group by to_status`),
      firstReadyHistogram(deps.db, spawnToReadyBuckets),
      rows<{ failing: number; consecutive: number; restarts: number }>(sql`
        select
          (count(*) filter (where status in ${running} and consecutive_failures > 0))::int as failing,
          (coalesce(sum(consecutive_failures) filter (where status in ${running}), 0))::int as consecutive,
          (coalesce(sum(restart_count) filter (where status not in ${[...finalStatuses]}), 0))::int as restarts
        from tenants`),
      rows<{ outcome: string; n: number }>(sql`select outcome, count(*)::int as n from convergence_calls group by outcome`),
      rows<{ outcome: string; n: number }>(sql`
        select case
            when http_status between 200 and 299 then 'success'
            when http_status = 410 then 'gone'
            when http_status is not null then 'http_error'
            else 'network_error'
          end as outcome,
          count(*)::int as n
        from webhook_attempts group by 1`),
      rows<{ status: string; n: number }>(sql`select status, count(*)::int as n from webhook_events group by status`),
      rows<{ status: string; n: number; calls: number }>(sql`select status, count(*)::int as n, coalesce(sum(value), 0)::bigint as calls from billing_meter_events group by status`),
      rows<{ drift: number; drifting: number }>(sql`
        select coalesce(sum(abs(drift)), 0)::bigint as drift, (count(*) filter (where drift <> 0))::int as drifting
        from billing_reconciliations
        where period_start >= date_trunc('month', (now() at time zone 'UTC') - interval '1 month') at time zone 'UTC'`),
    ]);

    for (const m of fromPostgres) m.reset();
    // Every status is present (0 when none), so a status that empties shows 0 rather than vanishing.
    for (const status of tenantStatuses) tenants.set({ status }, 0);
    for (const r of byStatus) tenants.set({ status: r.status }, r.n);
    for (const r of byTransition) transitions.inc({ to: r.to }, r.n);
    spawnToReady.set(latency);
    healthFailing.set(health[0]?.failing ?? 0);
    healthConsecutive.set(health[0]?.consecutive ?? 0);
    restarts.set(health[0]?.restarts ?? 0);
    for (const outcome of ["ok", "error", "refused", "aborted"]) calls.inc({ outcome }, 0);
    for (const r of byCallOutcome) calls.inc({ outcome: r.outcome }, r.n);
    for (const outcome of ["success", "gone", "http_error", "network_error"]) webhookAttempts.inc({ outcome }, 0);
    for (const r of byAttemptOutcome) webhookAttempts.inc({ outcome: r.outcome }, r.n);
    for (const r of byEventStatus) webhookEvents.set({ status: r.status }, r.n);
    for (const status of ["pending", "delivered", "failed", "expired"]) {
      const r = byBillingStatus.find((b) => b.status === status);
      billingEvents.set({ status }, r?.n ?? 0);
      billingCalls.set({ status }, Number(r?.calls ?? 0));
    }
    billingDrift.set(Number(drift[0]?.drift ?? 0));
    billingDrifting.set(drift[0]?.drifting ?? 0);
  }

  async function readRedis() {
    const counts = await Promise.all(deps.queues.map((q) => q.getJobCounts(...queueStates)));
    queueJobs.reset();
    deps.queues.forEach((q, i) => {
      for (const state of queueStates) queueJobs.set({ queue: q.name, state }, counts[i]?.[state] ?? 0);
    });
  }

  let inFlight: Promise<void> | null = null;
  let refreshedAt = -Infinity;

  return {
    /**
     * Brings the cluster metrics up to date unless they were read less than minRefreshMs ago; a
     * refresh already running is joined, never started twice.
     */
    refresh(): Promise<void> {
      if (inFlight) return inFlight;
      if (performance.now() - refreshedAt < minRefreshMs) return Promise.resolve();
      inFlight = this.read().finally(() => {
        refreshedAt = performance.now();
        inFlight = null;
      });
      return inFlight;
    },

    /** Reads Postgres and Redis (concurrently, each bounded by the timeout) into the registered metrics. */
    async read(): Promise<void> {
      refreshes.inc();
      const [pg, redis] = await Promise.allSettled([withTimeout(readPostgres(), timeoutMs, "postgres"), withTimeout(readRedis(), timeoutMs, "redis")]);
      sourceUp.set({ source: "postgres" }, pg.status === "fulfilled" ? 1 : 0);
      sourceUp.set({ source: "redis" }, redis.status === "fulfilled" ? 1 : 0);
      // Stale numbers would look current: a source that could not be read is left out of this scrape.
      if (pg.status === "rejected") for (const m of fromPostgres) m.reset();
      if (redis.status === "rejected") queueJobs.reset();
    },
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** What one worker process observes: its jobs and the provisions it brought to ready. */
export function createWorkerMetrics(registry: Registry) {
  return {
    registry,
    jobDuration: new Histogram({
      name: "convergence_job_duration_seconds",
      help: "Processing time of jobs run by this worker, by queue, job name and outcome (completed, failed)",
      labelNames: ["queue", "name", "outcome"],
      buckets: jobDurationBuckets,
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: "convergence_job_failures_total",
      help: "Failed job attempts in this worker by queue and job name; final=true when no retry is left",
      labelNames: ["queue", "name", "final"],
      registers: [registry],
    }),
    spawnToReady: new Histogram({
      name: "convergence_worker_spawn_to_ready_seconds",
      help: "Seconds from spawn request to first ready, for the provisions this worker completed",
      buckets: spawnToReadyBuckets,
      registers: [registry],
    }),
  };
}
