/**
 * POST /api/v1/billing/stripe-webhook — Stripe's webhook endpoint. Authenticated by Stripe's
 * signature, not a token: the raw body is read as sent (no JSON parsing before verification, which
 * would change the bytes signed), then shared/billing/webhook.ts verifies and applies it.
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { stripeFor } from "../../shared/billing/stripe-client.js";
import { handleStripeWebhook } from "../../shared/billing/webhook.js";
import { AppError } from "../../shared/errors.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export const stripeWebhookRoute = createRoute({
  method: "post",
  operationId: "receiveStripeWebhook",
  tags: ["Billing"],
  path: "/api/v1/billing/stripe-webhook",
  summary: "Stripe webhook endpoint",
  description:
    "For Stripe only: register this URL in Stripe with the events `invoice.payment_failed` and `invoice.paid`, and set STRIPE_WEBHOOK_SECRET to its signing secret. `invoice.payment_failed` makes the customer's organisation `past_due` (new spawns and deploys answer 402 PAYMENT_REQUIRED; running tenants keep running), `invoice.paid` makes it `active`. A replayed event (same id) changes nothing; a missing or wrong `Stripe-Signature` is 400 and changes nothing. 404 when billing or its webhook secret is not configured.",
  security: [],
  request: {
    headers: z.object({ "stripe-signature": z.string().max(4096).optional().openapi({ description: "Stripe's signature of the raw body" }) }),
    // A plain schema (not zod): documented, but not parsed before the signature is checked.
    body: { content: { "application/json": { schema: { type: "object", description: "a Stripe event, exactly as Stripe sent it" } } }, required: true },
  },
  responses: {
    200: {
      description: "verified; applied, or recognised as a replay",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            received: z.literal(true),
            eventId: z.string(),
            type: z.string(),
            duplicate: z.boolean().openapi({ description: "this event id was handled before: nothing was done" }),
            status: z.enum(["active", "past_due"]).nullable().openapi({ description: "the billing status this event sets, for the events that set one" }),
          }),
        },
      },
    },
    ...errorResponses(400, 404, 413),
  },
});

export const stripeWebhookHandler: RouteHandler<typeof stripeWebhookRoute, HonoEnv> = async (c) => {
  // Checked by hand, as @hono/zod-openapi does for the routes whose body it parses (this one's it must not).
  const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") throw new AppError("UNSUPPORTED_MEDIA_TYPE", "the request body must be JSON, sent with Content-Type: application/json; nothing was done");
  const ctx = c.get("ctx");
  const stripe = stripeFor(ctx.config);
  if (!stripe) throw new AppError("NOT_FOUND", "billing is not enabled on this platform (STRIPE_SECRET_KEY is unset)");
  const raw = await c.req.text();
  const outcome = await handleStripeWebhook(ctx, stripe, raw, c.req.header("stripe-signature"));
  c.get("log").info({ stripeEvent: outcome.eventId, type: outcome.type, duplicate: outcome.duplicate, orgIds: outcome.orgIds, status: outcome.status }, "Stripe webhook");
  return c.json({ success: true as const, received: true as const, eventId: outcome.eventId, type: outcome.type, duplicate: outcome.duplicate, status: outcome.status }, 200);
};
