/**
 * Stripe's webhooks (POST /api/v1/billing/stripe-webhook): verified with the official library
 * against the raw body and STRIPE_WEBHOOK_SECRET, recorded by event id so a replay changes nothing,
 * and applied in the same transaction. `invoice.payment_failed` makes the customer's organisation
 * `past_due` (new work is refused, shared/billing/guard.ts); `invoice.paid` makes it `active`
 * again. An event older than the one that set the current status (Stripe does not promise order)
 * is recorded but changes nothing.
 */
import { sql } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { AppError } from "../errors.js";
import type { StripeClient } from "./stripe-client.js";

const statusByEvent: Record<string, "active" | "past_due"> = {
  "invoice.payment_failed": "past_due",
  "invoice.paid": "active",
};

export interface WebhookOutcome {
  eventId: string;
  type: string;
  /** The same event id was handled before: nothing was done. */
  duplicate: boolean;
  /** Organisations whose billing status this event set. */
  orgIds: number[];
  status: "active" | "past_due" | null;
}

export async function handleStripeWebhook(ctx: { db: Db; config: Config }, stripe: StripeClient, rawBody: string, signature: string | undefined): Promise<WebhookOutcome> {
  const secret = ctx.config.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new AppError("NOT_FOUND", "Stripe webhooks are not configured here (STRIPE_WEBHOOK_SECRET is unset)");
  if (!signature) throw new AppError("BAD_REQUEST", "missing Stripe-Signature header: nothing was done");
  let event: { id: string; type: string; created: number; data: { object: unknown } };
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature, secret) as unknown as typeof event;
  } catch (err) {
    throw new AppError("BAD_REQUEST", `the Stripe-Signature does not verify for this body (${(err as Error).message.split("\n")[0]}): nothing was done`);
  }
  const status = statusByEvent[event.type] ?? null;
  const object = event.data?.object as { customer?: string | { id?: string } | null } | undefined;
  const customer = typeof object?.customer === "string" ? object.customer : (object?.customer?.id ?? null);
  return ctx.db.transaction(async (tx) => {
    const seen = await tx.execute(sql`insert into stripe_webhook_events (id, type) values (${event.id}, ${event.type}) on conflict do nothing returning id`);
    if (!(seen as unknown as unknown[]).length) return { eventId: event.id, type: event.type, duplicate: true, orgIds: [], status };
    let orgIds: number[] = [];
    if (status && customer) {
      const created = new Date(event.created * 1000).toISOString();
      const rows = (await tx.execute(sql`
        update organisations set billing_status = ${status}, billing_status_at = ${created}::timestamptz
        where stripe_customer_id = ${customer} and (billing_status_at is null or billing_status_at <= ${created}::timestamptz)
        returning id`)) as unknown as { id: number }[];
      orgIds = rows.map((r) => r.id);
      if (orgIds.length) await tx.execute(sql`update stripe_webhook_events set org_id = ${orgIds[0]} where id = ${event.id}`);
    }
    return { eventId: event.id, type: event.type, duplicate: false, orgIds, status };
  });
}
