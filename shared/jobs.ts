/**
 * The job catalog: every job the workers run, one declarative entry each — its queue, name,
 * payload schema, deterministic id, attempts, back-off, retention, how its worker runs it and,
 * for periodic work, its schedule. Workers are built from it in one place (worker/workers.ts,
 * with the processors in worker/processors.ts); every enqueue, the logs request/reply, the API's
 * metrics and the queue dashboard use the queues created here. Adding a job is one entry here
 * plus one processor.
 *
 * Each job has a queue of its own, so the concurrency and lock duration declared for it are
 * really its own. Payloads carry ids, never secrets. Job ids are deterministic per tenant and
 * action, so enqueueing the same work twice while it is pending is a no-op.
 */
import { Queue, QueueEvents, type Job, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";

export interface JobDefinition<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** The BullMQ queue this job (and only this job) runs on. */
  queue: string;
  name: string;
  payload: P;
  /** What the processor answers, for jobs a caller waits on (request/reply). */
  result?: R;
  /** Deterministic id: while a job with this id waits or runs, enqueueing it again is a no-op. */
  jobId?: (payload: z.infer<P>) => string;
  /** Attempts, back-off and how long finished jobs are kept. */
  options: (config: Config) => Pick<JobsOptions, "attempts" | "backoff" | "removeOnComplete" | "removeOnFail">;
  /** How many run at once in one worker process, and how long a job's lock lives before another worker may take it over. */
  worker: (config: Config) => { concurrency: number; lockDurationMs: number };
  /** Periodic jobs: run every so many ms (a BullMQ job scheduler: one schedule however many workers run). */
  everyMs?: (config: Config) => number;
  /** Runs in one worker at a time across all workers (a Redis lock), for sweeps that must not overlap. */
  exclusive?: boolean;
  /** Runs until told to stop: its processor's signal aborts when the worker shuts down. */
  runsUntilStopped?: boolean;
  /**
   * Runs with the same key never overlap, across all workers, not even when the job is taken over
   * from a worker that was only slow: each run holds a Postgres lock on the key (worker/run-fence.ts).
   */
  fence?: (payload: z.infer<P>) => number;
}

const defineJob = <P extends z.ZodType, R extends z.ZodType = z.ZodType>(job: JobDefinition<P, R>) => job;

const envId = z.number().int().positive();
const noPayload = z.object({});

/** Tenant lifecycle jobs: retried with back-off; a failed one is kept a day for inspection. */
const lifecycleOptions = (attempts: number) => (c: Config) => ({
  attempts,
  backoff: { type: "exponential", delay: c.PROVISION_BACKOFF_MS },
  // Completed jobs are removed so the same deterministic id can be enqueued again later (a re-provision).
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 1000 },
});
const workerDefaults = (c: Config) => ({ concurrency: c.WORKER_CONCURRENCY, lockDurationMs: c.WORKER_LOCK_MS });
const periodicOptions = () => ({ attempts: 1, removeOnComplete: true, removeOnFail: 50 });
const oneAtATime = (c: Config) => ({ concurrency: 1, lockDurationMs: c.WORKER_LOCK_MS });

export const jobs = {
  provision: defineJob({
    queue: "tenant-provision",
    name: "provision",
    payload: z.object({ envId, reason: z.string().optional() }),
    jobId: (p) => `provision-${p.envId}`,
    options: (c) => lifecycleOptions(c.PROVISION_ATTEMPTS)(c),
    worker: workerDefaults,
    fence: (p) => p.envId,
  }),
  destroy: defineJob({
    queue: "tenant-destroy",
    name: "destroy",
    payload: z.object({ envId }),
    jobId: (p) => `destroy-${p.envId}`,
    // A destroy is never given up: once these attempts are spent the reconciler enqueues it again.
    options: (c) => lifecycleOptions(Math.max(5, c.PROVISION_ATTEMPTS))(c),
    worker: workerDefaults,
    fence: (p) => p.envId,
  }),
  /**
   * Builds (uploads) and switches to a tenant's new revision without downtime (shared/deploys/run.ts).
   * Fenced on the tenant like provision and destroy: never alongside either.
   */
  deploy: defineJob({
    queue: "tenant-deploy",
    name: "deploy",
    payload: z.object({ envId, revision: z.number().int().positive() }),
    jobId: (p) => `deploy-${p.envId}-${p.revision}`,
    options: () => ({ attempts: 2, backoff: { type: "fixed", delay: 2_000 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 1000 } }),
    worker: (c) => ({ concurrency: c.DEPLOY_BUILDS_PER_WORKER, lockDurationMs: c.WORKER_LOCK_MS }),
    fence: (p) => p.envId,
  }),
  /** The API never talks to Docker: a logs request is a short job a worker answers (request/reply). */
  logs: defineJob({
    queue: "tenant-logs",
    name: "logs",
    payload: z.object({
      envId,
      tail: z.number().int().min(0).max(5000),
      since: z
        .string()
        .regex(/^\d{1,20}$/)
        .optional(),
    }),
    result: z.object({ lines: z.array(z.string()), container: z.string().nullable() }),
    options: () => ({ attempts: 1, removeOnComplete: { age: 60 }, removeOnFail: { age: 60 } }),
    worker: (c) => ({ concurrency: 5, lockDurationMs: c.WORKER_LOCK_MS }),
  }),
  /**
   * Follows a tenant's container logs into Redis while anyone follows them (shared/logs/follower.ts);
   * runs until nobody does, the tenant is destroyed, or the worker stops. One per tenant.
   */
  logsFollow: defineJob({
    queue: "tenant-logs-follow",
    name: "logs-follow",
    payload: z.object({ envId }),
    jobId: (p) => `logs-follow-${p.envId}`,
    // The API asks again while its clients stay: nothing to retry here.
    options: () => ({ attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600, count: 100 } }),
    worker: (c) => ({ concurrency: c.LOGS_FOLLOW_WORKER_CONCURRENCY, lockDurationMs: c.WORKER_LOCK_MS }),
    runsUntilStopped: true,
  }),
  /** One delivery job per webhook event; its id is the event id, so a second enqueue is a no-op. */
  webhookDelivery: defineJob({
    queue: "webhook-delivery",
    name: "deliver",
    payload: z.object({ eventId: z.string().regex(/^msg_[A-Za-z0-9_-]+$/) }),
    jobId: (p) => p.eventId,
    options: (c) => ({
      attempts: c.WEBHOOK_ATTEMPTS,
      // 30 s, 1 min, 2 min, … doubling: ten attempts span about four hours by default.
      backoff: { type: "exponential", delay: c.WEBHOOK_BACKOFF_MS, jitter: 0.2 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    }),
    worker: workerDefaults,
  }),
  /** Enqueues every pending webhook event that has no delivery job (a missed NOTIFY, a Redis that lost everything). */
  webhookSweep: defineJob({
    queue: "webhook-sweep",
    name: "webhook-sweep",
    payload: noPayload,
    options: periodicOptions,
    worker: oneAtATime,
    everyMs: (c) => c.WEBHOOK_SWEEP_MS,
  }),
  reconcile: defineJob({
    queue: "reconcile",
    name: "reconcile",
    payload: noPayload,
    options: periodicOptions,
    worker: oneAtATime,
    everyMs: (c) => c.RECONCILE_INTERVAL_MS,
    exclusive: true,
  }),
  healthSweep: defineJob({
    queue: "health-sweep",
    name: "health-sweep",
    payload: noPayload,
    options: periodicOptions,
    worker: oneAtATime,
    everyMs: (c) => c.HEALTH_INTERVAL_MS,
    exclusive: true,
  }),
};

export type JobKey = keyof typeof jobs;
export type PayloadOf<J extends JobDefinition> = z.input<J["payload"]>;
export type ResultOf<J extends JobDefinition> = J extends JobDefinition<z.ZodType, infer R> ? z.infer<R> : unknown;

/** A request/reply job that got no answer in time: most likely no worker is running. */
export class JobTimeoutError extends Error {}
/** A request/reply job whose worker failed; `reason` is the worker's error message. */
export class JobFailedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export type Queues = ReturnType<typeof createQueues>;

/** One Queue per catalog entry, on one shared connection; both processes build this once. */
export function createQueues(connection: Redis, config: Config) {
  const byName = new Map<string, Queue>();
  for (const job of Object.values(jobs) as JobDefinition[]) {
    byName.set(job.queue, new Queue(job.queue, { connection, prefix: config.QUEUE_PREFIX }));
  }
  const of = (job: JobDefinition): Queue => byName.get(job.queue)!;
  // Waiting for answers needs a blocking connection of its own; made on the first request.
  const events = new Map<string, { queueEvents: QueueEvents; connection: Redis }>();
  const eventsOf = (job: JobDefinition) => {
    let e = events.get(job.queue);
    if (!e) {
      const dedicated = connection.duplicate();
      e = { queueEvents: new QueueEvents(job.queue, { connection: dedicated, prefix: config.QUEUE_PREFIX }), connection: dedicated };
      events.set(job.queue, e);
    }
    return e.queueEvents;
  };

  const add = async <J extends JobDefinition>(job: J, payload: PayloadOf<J>): Promise<{ added: Job | null }> => {
    const data = job.payload.parse(payload);
    const jobId = job.jobId?.(data);
    const queue = of(job);
    if (jobId) {
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state !== "completed" && state !== "failed" && state !== "unknown") return { added: null };
        // Finished, but kept for inspection under the same id: remove it so the work runs again.
        await existing.remove();
      }
    }
    return { added: await queue.add(job.name, data, { ...job.options(config), ...(jobId ? { jobId } : {}) }) };
  };

  return {
    /** Every queue of the catalog: the API's metrics and the queue dashboard show these. */
    all: [...byName.values()],
    of,
    /**
     * Enqueues the job unless one with the same id is waiting, delayed or running; a finished
     * one lingering under the id is replaced, so the work runs again. Resolves whether a job was added.
     */
    async enqueue<J extends JobDefinition>(job: J, payload: PayloadOf<J>): Promise<boolean> {
      return (await add(job, payload)).added !== null;
    },
    /** The job waiting, running or kept under the id this payload gives, if there is one. */
    async find<J extends JobDefinition>(job: J, payload: PayloadOf<J>): Promise<Job | undefined> {
      const jobId = job.jobId?.(job.payload.parse(payload));
      return jobId ? of(job).getJob(jobId) : undefined;
    },
    /**
     * Request/reply: enqueues the job and resolves with the worker's answer. Rejects with
     * JobFailedError carrying the worker's own error, or JobTimeoutError when no worker answered.
     */
    async request<J extends JobDefinition>(job: J, payload: PayloadOf<J>, timeoutMs: number): Promise<ResultOf<J>> {
      const { added } = await add(job, payload);
      if (!added) throw new Error(`a ${job.name} job with the same id is already pending`);
      const looking = { stop: false };
      try {
        // A QueueEvents reads its stream from "now" once it is running: an answer that lands while
        // it is still starting (the first request of a process) is never heard, so the job is also
        // looked at directly (answers are kept for a minute: the catalog's removeOnComplete).
        const answer = await Promise.race([added.waitUntilFinished(eventsOf(job), timeoutMs), answerOf(of(job), added.id!, looking)]);
        return (job.result ? job.result.parse(answer) : answer) as ResultOf<J>;
      } catch (err) {
        // waitUntilFinished rejects with the worker's failedReason, or with its own timeout message.
        if ((await added.getState().catch(() => "unknown")) === "failed") throw new JobFailedError((err as Error).message);
        // Nobody took it in time: take it back, so a worker that starts later does not run stale work.
        await added.remove().catch(() => {});
        throw new JobTimeoutError(`no worker answered the ${job.name} request within ${timeoutMs} ms`);
      } finally {
        looking.stop = true;
      }
    },
    async close() {
      await Promise.all(
        [...events.values()].map(async (e) => {
          await e.queueEvents.close();
          e.connection.disconnect();
        }),
      );
      await Promise.all([...byName.values()].map((q) => q.close()));
    },
  };
}

/**
 * For callers whose truth is already committed to Postgres (a tenant row in a transient state, a
 * pending webhook event): a failed enqueue is logged, not thrown, because the reconciler (or
 * the webhook sweep) finds the row and enqueues the job again.
 */
export async function enqueueOrLeaveToReconciler<J extends JobDefinition>(ctx: { queues: Queues; logger: Logger }, job: J, payload: PayloadOf<J>): Promise<void> {
  try {
    await ctx.queues.enqueue(job, payload);
  } catch (err) {
    ctx.logger.warn({ err, job: job.name, ...(payload as object) }, `enqueue of ${job.name} job failed; the reconciler will enqueue it again`);
  }
}

const ANSWER_POLL_MS = 250;

/** Resolves with the job's answer once it completed (rejects once it failed); never settles after `looking.stop`. */
function answerOf(queue: Queue, jobId: string, looking: { stop: boolean }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const look = async () => {
      if (looking.stop) return;
      const job = await queue.getJob(jobId).catch(() => undefined);
      if (job?.finishedOn !== undefined && job.finishedOn !== null) {
        if (job.failedReason) reject(new Error(job.failedReason));
        else resolve(job.returnvalue);
        return;
      }
      setTimeout(() => void look(), ANSWER_POLL_MS).unref();
    };
    setTimeout(() => void look(), ANSWER_POLL_MS).unref();
  });
}
