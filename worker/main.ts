/**
 * Worker process (`npm run worker`): runs the tenant-lifecycle, logs and maintenance queues.
 * Any number may run, on any host that shares Redis, Postgres and a Docker engine.
 */
import { Worker } from "bullmq";
import { loadConfig } from "../shared/config.js";
import { createWorkerContext } from "../shared/context.js";
import { queueNames } from "../shared/jobs.js";
import { lifecycleProcessor } from "./lifecycle.js";
import { logsProcessor } from "./logs.js";
import { startWorkerMetrics } from "./metrics.js";
import { reconcile } from "../shared/tenants/reconcile.js";
import { startMaintenance } from "./maintenance.js";
import { startWebhookDelivery } from "./webhooks.js";
import { startHeartbeat } from "./heartbeat.js";

const config = loadConfig();
const ctx = createWorkerContext(config);
const log = ctx.logger;
const connection = ctx.redis;
const prefix = config.QUEUE_PREFIX;

const workers: Worker[] = [
  new Worker(queueNames.lifecycle, lifecycleProcessor(ctx), {
    connection,
    prefix,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: Math.max(1_000, Math.floor(config.WORKER_LOCK_MS / 3)),
    maxStalledCount: 2,
  }),
  new Worker(queueNames.logs, logsProcessor(ctx), { connection, prefix, concurrency: 5 }),
];

// Health sweeps and the reconciler, as BullMQ job schedulers (see worker/maintenance.ts).
const maintenance = await startMaintenance(ctx);
workers.push(maintenance.worker);
workers.push(await startWebhookDelivery(ctx));

for (const w of workers) {
  w.on("failed", (job, err) => log.warn({ jobId: job?.id, queue: w.name, err: { message: err.message } }, "job failed"));
  w.on("error", (err) => log.error({ err, queue: w.name }, "worker error"));
}
// Job durations and failures by queue, on this worker's own /metrics (WORKER_METRICS_PORT).
const metricsEndpoint = await startWorkerMetrics(ctx, workers);

await reconcile(ctx, { requeueGraceMs: 0 }).catch((err) => log.warn({ err }, "start-up reconcile failed"));
log.info({ concurrency: config.WORKER_CONCURRENCY, queuePrefix: prefix }, "worker started");
const heartbeat = startHeartbeat(ctx);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker shutting down: finishing active jobs");
  const timer = setTimeout(() => {
    log.warn("shutdown timed out; exiting with jobs still active (they will be retried)");
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  heartbeat.stop();
  await Promise.all(workers.map((w) => w.close()));
  await metricsEndpoint.close();
  await maintenance.close();
  await ctx.close();
  clearTimeout(timer);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
