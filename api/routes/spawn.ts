/** POST /api/v1/tenant/spawn — accept a tenant, answer 202 at once; a worker provisions it. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { spawnTenant } from "../../shared/tenants/spawn.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { IdlePolicySchema, SpawnedTenantSchema, errorResponses, tenantName, text, wellFormed } from "../schemas.js";

export const SpawnBody = z
  .strictObject({
    name: tenantName,
    language: text("language", { max: 40 }).openapi({ example: "node" }),
    framework: text("framework", { max: 40 }).openapi({ example: "express" }),
    webhookUrl: z
      .string({ error: "webhookUrl must be an http(s) URL" })
      .max(2048, "webhookUrl must be at most 2048 characters")
      .refine((v) => wellFormed(v) && !/[\u0000-\u0020\u007f-\u009f]/.test(v), "webhookUrl must not contain spaces or control characters")
      .pipe(z.url({ protocol: /^https?$/, error: "webhookUrl must be an http(s) URL" }))
      // Stored as the parser reads it (punycode host, percent-encoded path), so what is delivered to is what was checked.
      .transform((v) => new URL(v).href)
      .optional()
      .openapi({ description: "receives tenant.ready, tenant.failed, tenant.unhealthy, tenant.recovered, tenant.destroyed, tenant.paused, tenant.stopped, tenant.woke (Standard Webhooks)" }),
    quota: z
      .strictObject({
        callsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
        callsPerMonth: z.number().int().min(1).max(1_000_000_000).optional(),
      })
      .optional()
      .openapi({ description: "per-tenant limits on convergence calls; omitted means unlimited" }),
    idle: IdlePolicySchema.optional().openapi({
      description: "scale to zero: pause, then stop, after so many seconds without traffic (null = never); omitted: the platform defaults shown in GET /api/v1/org",
    }),
  })
  .openapi("SpawnRequest");

export const spawnRoute = createRoute({
  method: "post",
  path: "/api/v1/tenant/spawn",
  operationId: "spawnTenant",
  tags: ["Tenants"],
  summary: "Spawn a tenant",
  description:
    "Records the tenant, allocates its port and API key, enqueues provisioning and answers 202 at once. The API key is shown only here. Poll the status URL in `Location` until `ready`. Send `Idempotency-Key` to make retries safe.",
  ...access({ scope: "tenants:write", wholeOrganisation: true }),
  request: {
    headers: z.object({
      "idempotency-key": z
        .string()
        .min(1, "Idempotency-Key must be 1-255 visible ASCII characters")
        .max(255, "Idempotency-Key must be 1-255 visible ASCII characters")
        .regex(/^[\x21-\x7e]+$/, "Idempotency-Key must be 1-255 visible ASCII characters")
        .optional()
        .openapi({
          description:
            "a retry with the same key and body within IDEMPOTENCY_KEY_TTL_SECONDS (24 h by default) answers the same tenant (and its key, unless rotated since) instead of making another; after that the key is free again",
          example: "my-app-1",
        }),
    }),
    body: {
      content: {
        "application/json": {
          schema: SpawnBody,
          example: { name: "my-app", language: "node", framework: "express", webhookUrl: "https://hooks.example.com/convergence", quota: { callsPerMinute: 60 } },
        },
      },
      required: true,
    },
  },
  responses: {
    202: {
      description: "accepted; provisioning runs in the background",
      headers: {
        Location: { description: "the tenant's status URL", schema: { type: "string", example: "/api/v1/tenant/1/status" } },
        "Idempotent-Replayed": { description: "`true` when this answers an earlier request with the same Idempotency-Key", schema: { type: "string", example: "true" } },
      },
      content: {
        "application/json": {
          schema: z.object({ success: z.literal(true), tenant: SpawnedTenantSchema }),
        },
      },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 429, 503),
  },
});

export const spawnHandler: RouteHandler<typeof spawnRoute, HonoEnv> = async (c) => {
  const input = c.req.valid("json");
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const org = c.get("org");
  const { tenant, apiKey, replayed } = await spawnTenant({ ctx: c.get("ctx"), orgId: org.id, input, idempotencyKey, deadline: c.get("deadline") });
  if (!replayed) c.get("log").info({ envId: tenant.envId, port: tenant.port }, "tenant accepted");
  c.header("Location", `/api/v1/tenant/${tenant.envId}/status`);
  if (replayed) c.header("Idempotent-Replayed", "true");
  return c.json({ success: true as const, tenant: { ...tenantView(tenant, c.get("ctx").config), ...(apiKey !== undefined ? { apiKey } : {}) } }, 202);
};
