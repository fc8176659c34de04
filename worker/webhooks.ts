/**
 * The webhook dispatcher in the worker: turns committed events (Postgres NOTIFY on
 * `webhook_events`, sent in the transaction that records the event) into delivery jobs at once.
 * What it misses, the webhook sweep (a periodic job of the catalog) picks up.
 */
import type { WorkerContext } from "../shared/context.js";
import { PgListener } from "../shared/db/listener.js";
import { enqueueOrLeaveToReconciler, jobs } from "../shared/jobs.js";
import { WEBHOOK_EVENTS_CHANNEL } from "../shared/webhooks/event-catalog.js";
import { enqueuePendingWebhookEvents } from "../shared/webhooks/sweep.js";

/**
 * Starts listening, on the platform's reconnecting LISTEN (it outlasts a Postgres outage of any
 * length); close() ends it.
 */
export async function startWebhookDispatcher(ctx: WorkerContext): Promise<PgListener> {
  const { logger } = ctx;
  const listener = new PgListener(ctx.config.DATABASE_URL, [WEBHOOK_EVENTS_CHANNEL], logger, "convergence-webhook-dispatcher");
  listener.onNotify(WEBHOOK_EVENTS_CHANNEL, (eventId) => {
    const parsed = jobs.webhookDelivery.payload.safeParse({ eventId });
    if (!parsed.success) return logger.warn({ payload: eventId.slice(0, 100) }, "ignored a malformed webhook notification");
    // A failed enqueue is not lost: the event is pending in Postgres and the sweep picks it up.
    void enqueueOrLeaveToReconciler(ctx, jobs.webhookDelivery, parsed.data);
  });
  // On every (re)connect of the LISTEN connection: catch up on what a gap missed.
  listener.onListen(() => void enqueuePendingWebhookEvents(ctx).catch((err) => logger.warn({ err }, "webhook sweep failed")));
  await listener.start();
  return listener;
}
