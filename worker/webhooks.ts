/**
 * Webhook delivery in the worker: the processor of the webhook-delivery queue, the dispatcher
 * that turns committed events (Postgres NOTIFY on `webhook_events`) into delivery jobs, and a
 * periodic sweep that enqueues every pending event without a job, so neither a missed NOTIFY
 * nor a Redis that lost everything drops an event. Job ids are event ids: enqueueing twice,
 * from several workers at once, is a no-op.
 */
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { asc, eq } from "drizzle-orm";
import type { WorkerContext } from "../shared/context.js";
import { webhookEvents } from "../shared/db/schema.js";
import { queueNames, webhookDeliveryPayload } from "../shared/jobs.js";
import { deliverWebhookEvent } from "../shared/webhooks/deliver.js";
import { WEBHOOK_EVENTS_CHANNEL } from "../shared/webhooks/events.js";

const SWEEP_BATCH = 1000;

export function webhookProcessor(ctx: WorkerContext) {
  return async (job: Job) => {
    switch (job.name) {
      case "deliver": {
        const { eventId } = webhookDeliveryPayload.parse(job.data);
        const jobCtx = { ...ctx, logger: ctx.logger.child({ jobId: job.id }) };
        return deliverWebhookEvent(jobCtx, eventId, { attemptsMade: job.attemptsMade, maxAttempts: job.opts.attempts ?? 1 });
      }
      case "sweep":
        return enqueuePendingWebhookEvents(ctx);
      default:
        throw new UnrecoverableError(`unknown job ${job.name} on the webhook queue`);
    }
  };
}

/** Enqueues a delivery job for every pending event that has none (oldest first). */
export async function enqueuePendingWebhookEvents(ctx: WorkerContext): Promise<number> {
  const pending = await ctx.db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(eq(webhookEvents.status, "pending"))
    .orderBy(asc(webhookEvents.createdAt))
    .limit(SWEEP_BATCH);
  let enqueued = 0;
  for (const { id } of pending) {
    const existing = await ctx.queues.webhooks.getJob(id);
    if (existing) {
      // A job that failed without settling the event (e.g. stalled too often): run it again;
      // the attempt count is in Postgres, so the event still gives up after its last attempt.
      if (!(await existing.isFailed())) continue;
      await existing.remove();
    }
    await ctx.queues.enqueueWebhook({ eventId: id });
    enqueued++;
  }
  if (enqueued) ctx.logger.info({ enqueued }, "webhook sweep enqueued pending events that had no delivery job");
  return enqueued;
}

/**
 * Starts the delivery worker, the NOTIFY dispatcher and the sweep schedule. The returned worker
 * goes with the others into the process's graceful shutdown; ctx.close() ends the LISTEN.
 */
export async function startWebhookDelivery(ctx: WorkerContext): Promise<Worker> {
  const { config, logger } = ctx;
  const worker = new Worker(queueNames.webhooks, webhookProcessor(ctx), {
    connection: ctx.redis,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
  });

  await ctx.queues.webhooks.upsertJobScheduler(
    "webhook-sweep",
    { every: config.WEBHOOK_SWEEP_MS },
    { name: "sweep", opts: { removeOnComplete: true, removeOnFail: 100 } },
  );

  const enqueue = (id: string) => {
    const parsed = webhookDeliveryPayload.safeParse({ eventId: id });
    if (!parsed.success) return logger.warn({ payload: id.slice(0, 100) }, "ignored a malformed webhook notification");
    // A failed enqueue is not lost: the event is pending in Postgres and the sweep picks it up.
    ctx.queues.enqueueWebhook(parsed.data).catch((err) => logger.warn({ err, webhookId: id }, "enqueue of webhook delivery failed"));
  };
  // onlisten runs on every (re)connect of the LISTEN connection: catch up on what a gap missed.
  const sweep = () =>
    void enqueuePendingWebhookEvents(ctx).catch((err) => logger.warn({ err }, "webhook sweep failed"));
  await ctx.sql.listen(WEBHOOK_EVENTS_CHANNEL, enqueue, sweep);
  return worker;
}
