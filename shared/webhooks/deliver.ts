/**
 * deliverWebhookEvent: one delivery attempt of one event, following Standard Webhooks
 * (webhook-id, webhook-timestamp, webhook-signature `v1,<base64 HMAC-SHA256 of id.timestamp.body>`).
 * Every attempt is recorded. A 2xx marks the event delivered; 410 Gone marks it failed and stops;
 * anything else throws so BullMQ retries with back-off, until the last attempt marks it failed.
 * The attempt counter lives in Postgres, so a job lost with Redis and enqueued again continues
 * the count instead of starting over.
 */
import { UnrecoverableError } from "bullmq";
import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { AppContext } from "../context.js";
import { webhookAttempts, webhookEvents, type WebhookEvent } from "../db/schema.js";
import { scrubSecrets } from "../logger.js";
import type { WebhookPayload } from "./event-catalog.js";
import { signingSecret } from "./secret.js";
import { postWebhook } from "./send.js";
import { checkWebhookTarget, pinnedLookup } from "./target.js";

export type DeliveryOutcome = "delivered" | "skipped";

export class WebhookDeliveryError extends Error {
  override name = "WebhookDeliveryError";
}

export async function deliverWebhookEvent(
  ctx: AppContext,
  eventId: string,
  /** From the job: BullMQ's own attempt budget, in case it is smaller than the configured one. */
  job: { attemptsMade: number; maxAttempts: number } = { attemptsMade: 0, maxAttempts: Infinity },
): Promise<DeliveryOutcome> {
  const log = ctx.logger.child({ webhookId: eventId });
  const [event] = await ctx.db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId));
  if (!event) throw new UnrecoverableError(`webhook event ${eventId} does not exist`);
  if (event.status !== "pending") return "skipped"; // delivered or given up: a re-delivered job has nothing to do
  const limit = ctx.config.WEBHOOK_ATTEMPTS;
  if (event.attempts >= limit) {
    await finish(ctx, event.id, "failed");
    return "skipped";
  }

  // Claim the attempt number (also stops a second worker racing on a stalled job from skipping a count).
  const [claimed] = await ctx.db
    .update(webhookEvents)
    .set({ attempts: sql`${webhookEvents.attempts} + 1` })
    .where(and(eq(webhookEvents.id, eventId), eq(webhookEvents.status, "pending")))
    .returning({ attempts: webhookEvents.attempts });
  if (!claimed) return "skipped";
  const attempt = claimed.attempts;
  const lastAttempt = attempt >= limit || job.attemptsMade + 1 >= job.maxAttempts;

  const started = performance.now();
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    const target = await checkWebhookTarget(event.url, {
      allowedHosts: ctx.config.WEBHOOK_ALLOWED_HOSTS,
      timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS,
    });
    const secret = await signingSecret(ctx.db, ctx.config, event.orgId);
    const body = serialise(event);
    const sentAt = new Date();
    const res = await postWebhook({
      url: target.url,
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "Convergence-Webhooks/1",
        "webhook-id": event.id,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": new Webhook(secret).sign(event.id, sentAt, body),
      },
      timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS,
      lookup: pinnedLookup(target.addresses),
    });
    httpStatus = res.status;
  } catch (err) {
    error = scrubSecrets((err as Error)?.message ?? String(err)).slice(0, 500);
  }
  const durationMs = Math.round(performance.now() - started);
  await ctx.db.insert(webhookAttempts).values({ eventId, attempt, httpStatus, error, durationMs });

  const fields = { type: event.type, envId: event.envId, attempt, httpStatus, durationMs };
  if (httpStatus !== null && httpStatus >= 200 && httpStatus < 300) {
    await finish(ctx, eventId, "delivered");
    log.info(fields, "webhook delivered");
    return "delivered";
  }
  if (httpStatus === 410) {
    await finish(ctx, eventId, "failed");
    log.warn(fields, "webhook receiver answered 410 Gone; not retrying");
    throw new UnrecoverableError("receiver answered 410 Gone");
  }
  const why = error ?? `receiver answered ${httpStatus}`;
  if (lastAttempt) {
    await finish(ctx, eventId, "failed");
    log.warn({ ...fields, error }, "webhook delivery failed on its last attempt; giving up");
    throw new UnrecoverableError(`webhook not delivered after ${attempt} attempts: ${why}`);
  }
  throw new WebhookDeliveryError(`attempt ${attempt} failed: ${why}`);
}

async function finish(ctx: AppContext, eventId: string, status: "delivered" | "failed") {
  await ctx.db
    .update(webhookEvents)
    .set({ status, deliveredAt: status === "delivered" ? new Date() : null })
    .where(and(eq(webhookEvents.id, eventId), eq(webhookEvents.status, "pending")));
}

/** The body: type first, then timestamp and data (jsonb does not keep key order). */
function serialise(event: WebhookEvent): string {
  const p = event.payload as WebhookPayload;
  return JSON.stringify({ type: p.type, timestamp: p.timestamp, data: p.data });
}
