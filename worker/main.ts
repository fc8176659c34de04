/**
 * Worker process (`npm run worker`): runs every job of the catalog (shared/jobs.ts) and the
 * webhook dispatcher. Any number may run, on any host that shares Redis, Postgres and a Docker engine.
 */
import { loadConfig } from "../shared/config.js";
import { exitUnlessEncryptionKeyMatches } from "../shared/encryption-key.js";
import { reconcile } from "../shared/tenants/reconcile.js";
import { createWorkerContext } from "./context.js";
import { startWorkerMetrics } from "./metrics.js";
import { startHeartbeat } from "./heartbeat.js";
import { startWebhookDispatcher } from "./webhooks.js";
import { sweepOnRuntimeChanges } from "./runtime-events.js";
import { startWorkers, type Workers } from "./workers.js";

const config = loadConfig();
const ctx = createWorkerContext(config);
const log = ctx.logger;

// Set before any job is taken: a SIGTERM during start-up lets the jobs already taken finish too.
let running: Workers | undefined;
let metricsEndpoint: { close(): Promise<void> } | undefined;
let heartbeat: { stop(): void } | undefined;
let stopWatching: (() => void) | undefined;
let webhookDispatcher: { close(): Promise<void> } | undefined;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker shutting down: finishing active jobs");
  const timer = setTimeout(() => {
    log.warn("shutdown timed out; exiting with jobs still active (they will be retried)");
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  heartbeat?.stop();
  stopWatching?.();
  await running?.close();
  await metricsEndpoint?.close();
  await webhookDispatcher?.close();
  await ctx.close();
  clearTimeout(timer);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

// Before any job is taken: a worker with another key than the stored secrets' refuses to start.
await exitUnlessEncryptionKeyMatches(ctx.db, config.ENCRYPTION_KEY);
running = await startWorkers(ctx);
webhookDispatcher = await startWebhookDispatcher(ctx);
stopWatching = sweepOnRuntimeChanges(ctx);
// Job durations and failures by queue, on this worker's own /metrics (WORKER_METRICS_PORT).
metricsEndpoint = await startWorkerMetrics(ctx, running.workers);

await reconcile(ctx, { requeueGraceMs: 0 }).catch((err) => log.warn({ err }, "start-up reconcile failed"));
log.info({ concurrency: config.WORKER_CONCURRENCY, queuePrefix: config.QUEUE_PREFIX }, "worker started");
heartbeat = startHeartbeat(ctx);
