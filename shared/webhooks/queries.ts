/** Reading webhook events: a tenant's events with their delivery attempts (the caller has checked the organisation), and the pending ones. */
import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { webhookAttempts, webhookEvents } from "../db/schema.js";

/** Newest events first; each with every attempt, oldest first. */
export async function listWebhookDeliveries(db: Db, envId: number, limit: number) {
  const events = await db.select().from(webhookEvents).where(eq(webhookEvents.envId, envId)).orderBy(desc(webhookEvents.createdAt), desc(webhookEvents.id)).limit(limit);
  const attempts = events.length
    ? await db
        .select()
        .from(webhookAttempts)
        .where(
          inArray(
            webhookAttempts.eventId,
            events.map((e) => e.id),
          ),
        )
        .orderBy(asc(webhookAttempts.attempt), asc(webhookAttempts.id))
    : [];
  return events.map((e) => ({
    id: e.id,
    type: e.type,
    status: e.status,
    url: e.url,
    createdAt: e.createdAt.toISOString(),
    deliveredAt: e.deliveredAt?.toISOString() ?? null,
    attemptCount: e.attempts,
    attempts: attempts.filter((a) => a.eventId === e.id).map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), httpStatus: a.httpStatus, error: a.error, durationMs: a.durationMs })),
    payload: e.payload as Record<string, unknown>,
  }));
}

export type WebhookDeliveryView = Awaited<ReturnType<typeof listWebhookDeliveries>>[number];

/** Pending events, oldest first: the ones the webhook sweep makes sure have a delivery job. */
export async function pendingWebhookEventIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.status, "pending")).orderBy(asc(webhookEvents.createdAt)).limit(limit);
  return rows.map((r) => r.id);
}
