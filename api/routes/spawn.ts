/** POST /api/v1/tenant/spawn — accept a tenant, answer 202 at once; a worker provisions it. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { spawnTenant } from "../../shared/tenants/spawn.js";
import { tenantView } from "../../shared/tenants/view.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { TenantWithKeySchema, errorResponses, tenantName } from "../schemas.js";

export const SpawnBody = z
  .strictObject({
    name: tenantName,
    language: z.string({ error: "language is required and must be a string" }).min(1).max(40).openapi({ example: "node" }),
    framework: z.string({ error: "framework is required and must be a string" }).min(1).max(40).openapi({ example: "express" }),
    webhookUrl: z
      .url({ protocol: /^https?$/, error: "webhookUrl must be an http(s) URL" })
      .max(2048)
      .optional()
      .openapi({ description: "receives tenant.ready, tenant.failed, tenant.unhealthy, tenant.recovered, tenant.destroyed (Standard Webhooks)" }),
    quota: z
      .strictObject({
        callsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
        callsPerMonth: z.number().int().min(1).max(1_000_000_000).optional(),
      })
      .optional()
      .openapi({ description: "per-tenant limits on convergence calls; omitted means unlimited" }),
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
        .min(1)
        .max(255)
        .optional()
        .openapi({ description: "a retry with the same key and body answers the same tenant (and key) instead of making another", example: "my-app-1" }),
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
          schema: z.object({ success: z.literal(true), tenant: TenantWithKeySchema }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 409, 413, 429, 503),
  },
});

export const spawnHandler: RouteHandler<typeof spawnRoute, HonoEnv> = async (c) => {
  const input = c.req.valid("json");
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const org = c.get("org");
  const { tenant, apiKey, replayed } = await spawnTenant({ ctx: c.get("ctx"), orgId: org.id, input, idempotencyKey });
  if (!replayed) c.get("log").info({ envId: tenant.envId, port: tenant.port }, "tenant accepted");
  c.header("Location", `/api/v1/tenant/${tenant.envId}/status`);
  if (replayed) c.header("Idempotent-Replayed", "true");
  return c.json({ success: true as const, tenant: { ...tenantView(tenant, c.get("ctx").config), apiKey } }, 202);
};

