/**
 * The maintenance queue: periodic work as BullMQ job schedulers (one schedule however many
 * workers run), each run guarded by a Redis lock so only one sweep or reconcile runs at a time.
 * The schedules are re-asserted every minute, so they come back after Redis loses everything.
 */
import { Queue, Worker, type Job } from "bullmq";
import type { WorkerContext } from "../shared/context.js";
import { queueNames } from "../shared/jobs.js";
import { sweepHealth } from "../shared/tenants/health.js";
import { reconcile } from "../shared/tenants/reconcile.js";


export async function startMaintenance(ctx: WorkerContext) {
  const connection = ctx.redis;
  const prefix = ctx.config.QUEUE_PREFIX;
  const queue = new Queue(queueNames.maintenance, { connection, prefix });
  const schedules = async () => {
    const opts = { removeOnComplete: true, removeOnFail: 50 };
    await queue.upsertJobScheduler("reconcile", { every: ctx.config.RECONCILE_INTERVAL_MS }, { name: "reconcile", opts });
    await queue.upsertJobScheduler("health-sweep", { every: ctx.config.HEALTH_INTERVAL_MS }, { name: "health-sweep", opts });
  };
  await schedules();
  const timer = setInterval(() => schedules().catch((err) => ctx.logger.warn({ err }, "could not re-assert job schedulers")), 60_000);

  const worker = new Worker(
    queueNames.maintenance,
    async (job: Job) => {
      const run: () => Promise<unknown> = job.name === "health-sweep" ? () => sweepHealth(ctx) : () => reconcile(ctx);
      return withLock(ctx, job.name, run);
    },
    { connection, prefix, concurrency: 1 },
  );
  return {
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
    },
  };
}

/** Runs fn only if no other worker is running the same maintenance task right now. */
export async function withLock<T>(ctx: WorkerContext, name: string, fn: () => Promise<T>): Promise<T | "skipped: already running"> {
  const key = `${ctx.config.QUEUE_PREFIX}:lock:${name}`;
  const token = `${ctx.actor}:${Date.now()}`;
  const ok = await ctx.redis.set(key, token, "PX", 5 * 60_000, "NX");
  if (!ok) return "skipped: already running";
  try {
    return await fn();
  } finally {
    // Release only our own lock.
    await ctx.redis.eval(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`, 1, key, token);
  }
}
