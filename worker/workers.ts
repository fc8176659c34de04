/**
 * Every BullMQ Worker, built in one place from the job catalog (shared/jobs.ts) and the
 * processors (worker/processors.ts): one Worker per job with the concurrency and lock duration
 * the catalog declares, the payload parsed before the processor sees it, a logger naming the job
 * (and the tenant, when the payload has one), a Redis lock around exclusive jobs, and the
 * schedules of periodic jobs, re-asserted every minute so they come back after Redis loses
 * everything.
 */
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { WorkerContext } from "../shared/context.js";
import { jobs, type JobDefinition, type JobKey } from "../shared/jobs.js";
import { processors } from "./processors.js";
import { createRunFence, type RunFence } from "./run-fence.js";

const SCHEDULE_REASSERT_MS = 60_000;
/** How long a fenced run waits for the same work still running in another (slow, not dead) worker before it is retried. */
const FENCE_WAIT_MS = 60_000;

export interface Workers {
  workers: Worker[];
  /** Stops taking jobs and lets the active ones finish. */
  close(): Promise<void>;
}

export async function startWorkers(ctx: WorkerContext): Promise<Workers> {
  const keys = Object.keys(jobs) as JobKey[];
  const fenced = keys.filter((k) => (jobs[k] as JobDefinition).fence).length;
  const fence = createRunFence(ctx.config.DATABASE_URL, { connections: fenced ? ctx.config.WORKER_CONCURRENCY : 1, waitMs: FENCE_WAIT_MS });
  const workers = keys.map((key) => workerFor(ctx, key, fence));
  for (const w of workers) {
    w.on("failed", (job, err) => ctx.logger.warn({ jobId: job?.id, queue: w.name, err: { message: err.message } }, "job failed"));
    w.on("error", (err) => ctx.logger.error({ err, queue: w.name }, "worker error"));
  }

  // A periodic job whose feature is off (billing without STRIPE_SECRET_KEY) is not scheduled, and a
  // schedule left from when it was on is removed: its worker stays, idle, so every queue has one.
  const enabled = (j: JobDefinition) => j.enabled?.(ctx.config) ?? true;
  const periodic = keys.map((k) => jobs[k] as JobDefinition).filter((j) => j.everyMs && enabled(j));
  for (const job of keys.map((k) => jobs[k] as JobDefinition).filter((j) => j.everyMs && !enabled(j))) await ctx.queues.of(job).removeJobScheduler(job.name);
  const schedule = async () => {
    for (const job of periodic) {
      await ctx.queues.of(job).upsertJobScheduler(job.name, { every: job.everyMs!(ctx.config) }, { name: job.name, data: {}, opts: job.options(ctx.config) });
    }
  };
  await schedule();
  const timer = setInterval(() => schedule().catch((err) => ctx.logger.warn({ err }, "could not re-assert job schedulers")), SCHEDULE_REASSERT_MS);

  return {
    workers,
    async close() {
      clearInterval(timer);
      // Jobs that run until stopped are told to stop; the others finish.
      for (const [i, key] of keys.entries()) if ((jobs[key] as JobDefinition).runsUntilStopped) workers[i]!.cancelAllJobs("worker shutting down");
      await Promise.all(workers.map((w) => w.close()));
      await fence.close();
    },
  };
}

function workerFor<K extends JobKey>(ctx: WorkerContext, key: K, fence: RunFence): Worker {
  const job = jobs[key] as JobDefinition;
  const process = processors[key] as (c: WorkerContext, payload: unknown, j: Job, signal: AbortSignal) => Promise<unknown>;
  const { concurrency, lockDurationMs } = job.worker(ctx.config);
  return new Worker(
    job.queue,
    // Three parameters: BullMQ hands a signal only to processors that declare it (see close()).
    async (j: Job, _token?: string, signal?: AbortSignal) => {
      if (j.name !== job.name) throw new UnrecoverableError(`unknown job ${j.name} on queue ${job.queue}`);
      const parsed = job.payload.safeParse(j.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} payload: ${parsed.error.message}`);
      const envId = (parsed.data as { envId?: number }).envId;
      const jobCtx = { ...ctx, logger: ctx.logger.child({ jobId: j.id, ...(envId !== undefined ? { envId } : {}) }) };
      const run = () => process(jobCtx, parsed.data, j, signal ?? new AbortController().signal);
      if (job.fence) return fence.run(job.name, job.fence(parsed.data), run);
      return job.exclusive ? withLock(jobCtx, job.name, run) : run();
    },
    {
      connection: ctx.redis,
      prefix: ctx.config.QUEUE_PREFIX,
      concurrency,
      // A dead worker's job is taken over once its lock has expired (at most lockDuration after the
      // last renewal) and two stalled checks have found it unlocked: about WORKER_LOCK_MS plus one
      // WORKER_STALLED_INTERVAL_MS. A worker that is only slow may lose its job the same way; the
      // run fence (above) keeps the takeover from running alongside it. One that stalls more than
      // WORKER_MAX_STALLED_COUNT times (crashed its workers each time) fails instead.
      lockDuration: lockDurationMs,
      lockRenewTime: Math.min(ctx.config.WORKER_LOCK_RENEW_MS, Math.floor(lockDurationMs / 2)),
      stalledInterval: ctx.config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: ctx.config.WORKER_MAX_STALLED_COUNT,
    },
  );
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`;

/**
 * Runs fn only if no other worker is running the same job right now. The lock lives
 * WORKER_LOCK_MS and is renewed while fn runs, so a worker that dies mid-run (SIGKILL, a lost
 * host) holds it no longer than that, as with BullMQ's own job locks.
 */
export async function withLock<T>(ctx: WorkerContext, name: string, fn: () => Promise<T>): Promise<T | "skipped: already running"> {
  const key = `${ctx.config.QUEUE_PREFIX}:lock:${name}`;
  const token = `${ctx.actor}:${Date.now()}`;
  const ttl = ctx.config.WORKER_LOCK_MS;
  const ok = await ctx.redis.set(key, token, "PX", ttl, "NX");
  if (!ok) return "skipped: already running";
  const renewal = setInterval(
    () => {
      ctx.redis.eval(RENEW, 1, key, token, ttl).catch((err: unknown) => ctx.logger.warn({ err, lock: key }, "could not renew the lock"));
    },
    Math.max(500, Math.floor(ttl / 3)),
  );
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    // Release only our own lock. A release that fails must not hide fn's own outcome: the lock expires by itself.
    await ctx.redis.eval(RELEASE, 1, key, token).catch((err: unknown) => ctx.logger.warn({ err, lock: key }, "could not release the lock; it expires by itself"));
  }
}
