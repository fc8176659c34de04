/** GET /api/v1/tenant/:id/webhooks — the tenant's webhook events, each with every delivery attempt. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { getTenantForOrg } from "../../shared/tenants/queries.js";
import { webhookEventTypes, type WebhookEventType, type WebhookPayload } from "../../shared/webhooks/event-catalog.js";
import { listWebhookDeliveries } from "../../shared/webhooks/queries.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantIdParam, WebhookPayloadSchema, errorResponses } from "../schemas.js";

const WebhookAttemptSchema = z
  .object({
    attempt: z.number().int().openapi({ example: 1 }),
    at: z.string(),
    httpStatus: z.number().int().nullable().openapi({ example: 500, description: "null when no answer came (timeout, refused connection, refused target)" }),
    error: z.string().nullable(),
    durationMs: z.number().int(),
  })
  .openapi("WebhookAttempt");

const WebhookEventSchema = z
  .object({
    id: z.string().openapi({ example: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", description: "the webhook-id header; receivers deduplicate on it" }),
    type: z.enum(webhookEventTypes),
    status: z.enum(["pending", "delivered", "failed"]),
    url: z.string(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    attemptCount: z.number().int(),
    attempts: z.array(WebhookAttemptSchema),
    payload: WebhookPayloadSchema,
  })
  .openapi("WebhookEvent");

export const webhooksRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/{id}/webhooks",
  operationId: "listTenantWebhooks",
  tags: ["Webhooks"],
  summary: "A tenant's webhook deliveries",
  description: "Events newest first, each with its delivery status and every attempt (time, HTTP status or error, duration).",
  ...access({ scope: "tenants:read" }),
  request: {
    params: TenantIdParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "at most this many events, newest first" }) }),
  },
  responses: {
    200: {
      description: "the tenant's webhook events",
      content: { "application/json": { schema: z.object({ success: z.literal(true), events: z.array(WebhookEventSchema) }) } },
    },
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export const webhooksHandler: RouteHandler<typeof webhooksRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { limit } = c.req.valid("query");
  const db = c.get("ctx").db;
  await getTenantForOrg(db, c.get("org").id, id);
  const events = await listWebhookDeliveries(db, id, limit);
  return c.json({ success: true as const, events: events.map((e) => ({ ...e, type: e.type as WebhookEventType, payload: e.payload as unknown as WebhookPayload })) }, 200);
};
