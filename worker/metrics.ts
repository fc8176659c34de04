/**
 * A worker's own Prometheus endpoint (GET /metrics on WORKER_METRICS_HOST:WORKER_METRICS_PORT,
 * 127.0.0.1 by default, without credentials, so keep it off any network tenants or customers
 * reach; 0 turns it off):
 * what this process observed — job durations and failed attempts by queue and job name, the
 * spawn→ready latency of the provisions it completed, and its CPU and memory. Cluster-wide
 * numbers (tenants by status, queue depths, …) are the API's /metrics, read from Postgres/Redis.
 * Several workers on one host (e.g. compose replicas on the host network) take the next free
 * port: 9465, 9466, … up to PORT_SEARCH ports on; the log line says which. A worker that finds
 * none keeps processing jobs without metrics rather than refusing to start.
 */
import type { Job, Worker } from "bullmq";
import { createServer, type Server } from "node:http";
import type { WorkerContext } from "../shared/context.js";
import { jobs } from "../shared/jobs.js";
import { createRegistry, createWorkerMetrics } from "../shared/metrics.js";
import { firstReadySeconds } from "../shared/tenants/first-ready.js";

const PORT_SEARCH = 10;

export async function startWorkerMetrics(ctx: WorkerContext, workers: Worker[]): Promise<{ close(): Promise<void> }> {
  const metrics = createWorkerMetrics(createRegistry("worker"));
  const log = ctx.logger.child({ component: "metrics" });

  for (const w of workers) {
    w.on("completed", (job: Job, result: unknown) => {
      const seconds = jobSeconds(job);
      if (seconds !== null) metrics.jobDuration.observe({ queue: w.name, name: job.name, outcome: "completed" }, seconds);
      if (job.name === jobs.provision.name && result === "ready") {
        void observeSpawnToReady(ctx, job, metrics.spawnToReady).catch((err) => log.debug({ err }, "spawn-to-ready not recorded"));
      }
    });
    w.on("failed", (job: Job | undefined, _err: Error) => {
      if (!job) return;
      const seconds = jobSeconds(job);
      if (seconds !== null) metrics.jobDuration.observe({ queue: w.name, name: job.name, outcome: "failed" }, seconds);
      // BullMQ sets finishedOn only when the job is moved to failed for good (no retry left, or unrecoverable).
      const final = job.finishedOn != null || job.attemptsMade >= (job.opts.attempts ?? 1);
      metrics.jobFailures.inc({ queue: w.name, name: job.name, final: String(final) });
    });
  }

  const port = ctx.config.WORKER_METRICS_PORT;
  if (port === 0) return { close: async () => {} };
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ success: false, error: { code: "NOT_FOUND", message: "GET /metrics" } }));
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body),
      (err: unknown) => {
        log.warn({ err }, "rendering metrics failed");
        res.writeHead(500).end();
      },
    );
  });
  const host = ctx.config.WORKER_METRICS_HOST;
  let listening = false;
  let lastError: Error | undefined;
  for (let p = port; p < port + PORT_SEARCH && p <= 65535 && !listening; p++) {
    listening = await listen(server, p, host).then(
      () => {
        log.info({ port: p, host }, "worker metrics listening");
        return true;
      },
      (err: NodeJS.ErrnoException) => {
        lastError = err;
        if (err.code !== "EADDRINUSE") p = Infinity; // only a busy port is worth trying the next one
        return false;
      },
    );
  }
  if (!listening) {
    log.warn({ err: { message: lastError?.message }, port }, "worker metrics endpoint not started (set WORKER_METRICS_PORT per worker, or 0 to turn it off)");
  }
  return {
    close: () => (listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve()),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** This attempt's processing time (a retried attempt has no finishedOn yet: it ended now). */
function jobSeconds(job: Job): number | null {
  return job.processedOn ? Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000 : null;
}

/** Only the tenant's first ready counts: a re-provision of a long-lived tenant is not a spawn. */
async function observeSpawnToReady(ctx: WorkerContext, job: Job, histogram: { observe(v: number): void }) {
  const parsed = jobs.provision.payload.safeParse(job.data);
  if (!parsed.success) return;
  const seconds = await firstReadySeconds(ctx.db, parsed.data.envId);
  if (seconds !== null) histogram.observe(seconds);
}
