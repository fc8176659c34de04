/**
 * The webhook dispatcher in the worker: turns committed events (Postgres NOTIFY on
 * `webhook_events`, sent in the transaction that records the event) into delivery jobs at once.
 * What it misses, the webhook sweep (a periodic job of the catalog) picks up.
 */
import type { WorkerContext } from "../shared/context.js";
import { enqueueOrLeaveToReconciler, jobs } from "../shared/jobs.js";
import { WEBHOOK_EVENTS_CHANNEL } from "../shared/webhooks/events.js";
import { enqueuePendingWebhookEvents } from "../shared/webhooks/sweep.js";

/** Starts listening; ctx.close() ends the LISTEN. */
export async function startWebhookDispatcher(ctx: WorkerContext): Promise<void> {
  const { logger } = ctx;
  const enqueue = (eventId: string) => {
    const parsed = jobs.webhookDelivery.payload.safeParse({ eventId });
    if (!parsed.success) return logger.warn({ payload: eventId.slice(0, 100) }, "ignored a malformed webhook notification");
    // A failed enqueue is not lost: the event is pending in Postgres and the sweep picks it up.
    void enqueueOrLeaveToReconciler(ctx, jobs.webhookDelivery, parsed.data);
  };
  // onlisten runs on every (re)connect of the LISTEN connection: catch up on what a gap missed.
  const sweep = () => void enqueuePendingWebhookEvents(ctx).catch((err) => logger.warn({ err }, "webhook sweep failed"));
  await ctx.sql.listen(WEBHOOK_EVENTS_CHANNEL, enqueue, sweep);
}
