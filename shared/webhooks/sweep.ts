/**
 * The webhook sweep: every pending event gets a delivery job, so neither a missed NOTIFY nor a
 * Redis that lost everything drops an event. Job ids are event ids: enqueueing one that is
 * already waiting or running, from several workers at once, is a no-op. A job that failed
 * without settling its event (it stalled too often) runs again; the attempt count lives in
 * Postgres, so the event still gives up after its last attempt.
 */
import type { AppContext } from "../context.js";
import { jobs } from "../jobs.js";
import { pendingWebhookEventIds } from "./queries.js";

const SWEEP_BATCH = 1000;

export async function enqueuePendingWebhookEvents(ctx: AppContext): Promise<number> {
  let enqueued = 0;
  for (const eventId of await pendingWebhookEventIds(ctx.db, SWEEP_BATCH)) {
    if (await ctx.queues.enqueue(jobs.webhookDelivery, { eventId })) enqueued++;
  }
  if (enqueued) ctx.logger.info({ enqueued }, "webhook sweep enqueued pending events that had no delivery job");
  return enqueued;
}
