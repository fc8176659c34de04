/**
 * The OpenAPI 3.1 document at /openapi.json: everything the routes declare, plus what no route
 * can: the credentials, the tags, the webhook payloads (OpenAPI `webhooks`) and the event-stream
 * payloads. The SDK's types are generated from this document (sdk/scripts/generate-types.ts), and
 * /docs renders it (api/docs.ts).
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { webhookEventTypes } from "../shared/webhooks/event-catalog.js";
import { mountDocs } from "./docs.js";
import type { HonoEnv } from "./env.js";
import { TenantStatusSchema, WebhookPayloadSchema } from "./schemas.js";

const info = {
  title: "Convergence control plane API",
  version: "1",
  description: [
    "Spawn, watch and destroy tenant apps, each in its own hardened container with its own port and API key; meter their convergence calls.",
    "",
    "Management calls take an organisation token (`Authorization: Bearer cvg_org_…`) or a short-lived access token made from it (`POST /api/v1/auth/token`); convergence calls take a tenant key (`sk_tenant_…`).",
    "The dashboard at `/app` calls the same endpoints with a session cookie instead (`POST /api/v1/auth/session`), plus `X-CSRF-Token` on requests that change something.",
    'Every error has one shape: `{"success":false,"error":{"code","message"}}`; 429 and 503 say when to retry in `Retry-After`.',
    "Typed clients: the `@convergence/sdk` package and the `convergence` CLI.",
  ].join("\n"),
};

const tags = [
  { name: "Tenants", description: "Spawn, list, watch, read logs of, rotate the key of and destroy tenant apps." },
  { name: "Webhooks", description: "The signing secret, and what was delivered. The payloads are under Webhooks." },
  { name: "Usage", description: "Metered convergence calls, for billing." },
  { name: "Convergence", description: "The convergence call itself, made by a tenant with its own key." },
  {
    name: "Authentication",
    description: "Short-lived scoped access tokens made from the organisation token, the keys that verify them, rotating the organisation token, and the dashboard's sessions.",
  },
  { name: "Organisations", description: "Your organisation's limits and usage; creating organisations, for the platform operator." },
];

const dateTime = z.string().openapi({ format: "date-time", example: "2026-11-29T10:15:30.000Z" });

/** The `data` of each `event: status` on GET /api/v1/tenant/{id}/events. */
export const TenantStatusEventSchema = z
  .object({
    from: TenantStatusSchema.nullable().openapi({ description: "null for the first event (the tenant was accepted)" }),
    to: TenantStatusSchema,
    reason: z.string().openapi({ example: "health check passed" }),
    at: dateTime,
  })
  .openapi("TenantStatusEvent");

/** The `data` of each `event: line` on GET /api/v1/tenant/{id}/logs?follow=true. */
export const TenantLogLineSchema = z
  .object({
    at: z.string().openapi({ description: "when the container printed it: RFC 3339 with nanoseconds, as Docker stamps it", example: "2026-11-29T10:15:30.022179839Z" }),
    line: z.string().openapi({ description: "the text, without its newline; secrets (tenant keys, tokens) are masked", example: "tenant_1 (my-app) listening on 3000" }),
  })
  .openapi("TenantLogLine");

const webhookDescriptions: Record<(typeof webhookEventTypes)[number], string> = {
  "tenant.ready": "The tenant answers on its port (first start, or again after a key rotation re-created it).",
  "tenant.failed": "The tenant could not be started or kept running; `data.error` says why.",
  "tenant.unhealthy": "Health checks fail; the platform restarts the container with back-off.",
  "tenant.recovered": "An unhealthy tenant is ready again.",
  "tenant.destroyed": "The tenant's container and port are gone; the record stays for billing.",
  "deployment.live": "A new revision (deploy, rollback, env change, key rotation) serves now; `data.revision`, `data.source`, `data.image`.",
  "deployment.failed": "A revision failed (build, exit, never healthy); the live one keeps serving. `data.error` says why.",
};

export function documentApi(app: OpenAPIHono<HonoEnv>) {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "organisationToken", {
    type: "http",
    scheme: "bearer",
    description: "organisation token (cvg_org_…)",
  });
  registry.registerComponent("securitySchemes", "accessToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "access token from POST /api/v1/auth/token; the scope an operation needs is its x-required-scope",
  });
  registry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "cvg_session",
    description:
      "the dashboard's session (POST /api/v1/auth/session): an access token with every scope in an httpOnly cookie; requests that change something also need `X-CSRF-Token` (the `cvg_csrf` cookie's value)",
  });
  registry.registerComponent("securitySchemes", "tenantKey", {
    type: "http",
    scheme: "bearer",
    description: "tenant API key (sk_tenant_…); X-API-Key is accepted too",
  });
  registry.registerComponent("securitySchemes", "operatorToken", {
    type: "http",
    scheme: "bearer",
    description: "the platform operator: CONVERGENCE_ADMIN_TOKEN, or organisation 1's token",
  });
  registry.register("TenantStatusEvent", TenantStatusEventSchema);
  registry.register("TenantLogLine", TenantLogLineSchema);
  for (const type of webhookEventTypes) {
    registry.registerWebhook({
      method: "post",
      path: type,
      operationId: `${type.replace(/\.(\w)/, (_, c: string) => c.toUpperCase())}Webhook`,
      summary: type,
      description: `${webhookDescriptions[type]} Sent to the tenant's \`webhookUrl\`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with \`verifyWebhook\` from \`@convergence/sdk\`.`,
      tags: ["Webhooks"],
      request: {
        headers: z.object({
          "webhook-id": z.string().openapi({ description: "the event's id; the same on every retry, so deduplicate on it", example: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" }),
          "webhook-timestamp": z.string().openapi({ description: "seconds since the epoch, when this attempt was signed", example: "1796000130" }),
          "webhook-signature": z.string().openapi({ description: "`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`", example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=" }),
        }),
        body: { content: { "application/json": { schema: WebhookPayloadSchema } }, required: true },
      },
      responses: {
        200: { description: "any 2xx acknowledges the event" },
        410: { description: "Gone: stops delivery of this event" },
      },
    });
  }
  app.doc31("/openapi.json", { openapi: "3.1.0", info, tags });
  mountDocs(app, info.title);
}
