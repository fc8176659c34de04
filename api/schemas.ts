/** Request and response schemas shared by the routes; they also produce the OpenAPI document. */
import { z } from "@hono/zod-openapi";
import { tenantStatuses } from "../shared/tenant-state.js";
import { envIdOfTenantId } from "../shared/tenants/tenant-id.js";

export const ErrorResponse = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_FAILED" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: errorDescriptions[s] ?? "error", content: { "application/json": { schema: ErrorResponse } } }]),
  );

const errorDescriptions: Record<number, string> = {
  400: "invalid input",
  401: "missing or invalid token",
  403: "not allowed for this token",
  404: "not found (or another organisation's)",
  409: "conflict",
  413: "request body too large",
  429: "rate limited or over quota",
  502: "the model provider failed",
  503: "a dependency is unavailable",
  504: "the model provider timed out",
};

export const TenantSchema = z
  .object({
    envId: z.number().int().openapi({ example: 1 }),
    tenantId: z.string().openapi({ example: "tenant_1" }),
    orgId: z.number().int(),
    name: z.string().openapi({ example: "my-app" }),
    language: z.string().openapi({ example: "node" }),
    framework: z.string().openapi({ example: "express" }),
    status: z.enum(tenantStatuses),
    port: z.number().int().nullable().openapi({ example: 3001 }),
    url: z.string().nullable().openapi({ example: "http://localhost:3001" }),
    containerName: z.string().openapi({ example: "convergence-tenant-1" }),
    containerId: z.string().nullable(),
    image: z.string().nullable(),
    apiKeyPrefix: z.string().openapi({ example: "sk_tenant_AbC123" }),
    error: z.string().nullable(),
    webhookUrl: z.string().nullable(),
    quota: z.object({ callsPerMinute: z.number().int().nullable(), callsPerMonth: z.number().int().nullable() }),
    health: z.object({
      lastCheckAt: z.string().nullable(),
      consecutiveFailures: z.number().int(),
      restartCount: z.number().int(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    statusChangedAt: z.string(),
    readyAt: z.string().nullable(),
    destroyedAt: z.string().nullable(),
  })
  .openapi("Tenant");

export const TenantIdParam = z.object({
  id: z.coerce
    .number({ error: "tenant id must be a positive integer" })
    .int("tenant id must be a positive integer")
    .positive("tenant id must be a positive integer")
    .max(2_147_483_647, "tenant id is out of range")
    .openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const tenantName = z
  .string({ error: "name is required and must be a string" })
  .min(1, "name must be 1-63 characters")
  .max(63, "name must be 1-63 characters")
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'");

/** `org_id` on organisation-scoped queries: optional, and must be the token's own organisation. */
export const orgIdQuery = z.coerce
  .number()
  .int()
  .positive()
  .optional()
  .openapi({ description: "must be the token's organisation", example: 1 });

/**
 * `tenant_id` on queries: the tenant's `tenantId` (`tenant_1`). A bare integer is still accepted
 * and read as the envId, as this parameter took before. Parsed to the envId.
 */
export const tenantIdQuery = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const envId = envIdOfTenantId(value, { bareEnvId: true });
    if (envId === null) {
      ctx.addIssue({ code: "custom", message: `tenant_id must be a tenantId such as tenant_1 (or its envId, 1); got "${value.slice(0, 40)}"` });
      return z.NEVER;
    }
    return envId;
  })
  .openapi({ description: "only this tenant: its tenantId (`tenant_1`); a bare integer is read as its envId", example: "tenant_1" });
