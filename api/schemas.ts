/** Request and response schemas shared by the routes; they also produce the OpenAPI document. */
import { z } from "@hono/zod-openapi";
import { statusOf, type ErrorCode } from "../shared/errors.js";
import { tenantStatuses } from "../shared/tenant-state.js";
import { envIdOfTenantId } from "../shared/tenants/tenant-id.js";
import { webhookEventTypes } from "../shared/webhooks/event-catalog.js";

/** What each error code means; keyed by ErrorCode, so a code added in shared/errors.ts must be described here too. */
const errorCodeMeanings: Record<ErrorCode, string> = {
  BAD_REQUEST: "the request cannot be understood",
  VALIDATION_FAILED: "a field is missing or invalid; `details.issues` lists each one",
  MALFORMED_JSON: "the body is not valid JSON",
  UNKNOWN_TEMPLATE: "no template for that language and framework",
  INVALID_ARCHIVE:
    "a deploy archive was refused (nothing was stored): `details.reason` says why (`not-gzip`, `not-tar`, `unsafe-path`, `link-outside`, `special-file`, `too-many-files`, `no-package-json`, `bad-package-json`, `no-start-script`, `unknown-kind` — none of node, bun, python, go, static —, `bad-manifest`, `no-asgi-app`, `no-main-package`) and `details.entry` names the entry",
  UNAUTHORIZED: "missing or invalid credential",
  PAYMENT_REQUIRED: "the organisation's Stripe invoice is unpaid (`past_due`): new spawns and deploys are refused until it is paid; running tenants keep running",
  FORBIDDEN: "the credential is valid but not allowed to do this",
  INSUFFICIENT_SCOPE: "the access token lacks the scope this operation needs; `details.requiredScope` names it",
  CSRF_FAILED: "a request authenticated by the dashboard's session cookie that changes something lacks the right `X-CSRF-Token` header",
  NOT_FOUND: "no such resource (or it belongs to another organisation)",
  CONFLICT: "the resource changed meanwhile; try again",
  IDEMPOTENCY_KEY_REUSED: "the Idempotency-Key was used before with a different body",
  INVALID_STATE: "not possible in the tenant's current state",
  DEPLOY_IN_PROGRESS: "another deployment of this tenant is queued, building or starting; wait for it (GET its revision with `?wait=live`) and try again",
  PAYLOAD_TOO_LARGE: "the body is larger than the API accepts",
  UNSUPPORTED_MEDIA_TYPE: "the operation takes a JSON body and this one was sent as another type (or without `Content-Type`): send `Content-Type: application/json`; nothing was done",
  RATE_LIMITED:
    "over a rate limit; `details.limit` names it (`spawnsPerMinute`, `rotationsPerMinute`, `destroysPerMinute`, `logsPerMinute`, a tenant's `callsPerMinute`) and `details.max` its value; see Retry-After",
  QUOTA_EXCEEDED: "the tenant's monthly quota (`details.limit`: `callsPerMonth`) is used up; see Retry-After",
  TENANT_LIMIT_REACHED: "the organisation has as many live tenants as its limit (`details.max`) allows: destroy one first; nothing was created",
  CONCURRENCY_LIMIT_REACHED: "too many requests held open at once for the organisation: `details.limit` is `maxEventStreams`, `maxHeldWaits` or `maxLogFollows`",
  CAPACITY_EXHAUSTED: "the platform has no room for another tenant now (reserved tenant memory would pass its share of the machine); see Retry-After",
  WAKE_TIMEOUT: "(from the ingress, on a sleeping tenant's hostname) the tenant did not wake within TENANT_WAKE_TIMEOUT_MS; the reason is in its status' `error`; see Retry-After",
  TOO_MANY_AUTH_FAILURES: "this credential failed too many times from this client (a valid credential is not affected); see Retry-After",
  NO_PORTS_AVAILABLE: "every tenant port is taken",
  DEPENDENCY_UNAVAILABLE: "Postgres, Redis or the workers do not answer (in time); try again after Retry-After",
  UPSTREAM_ERROR: "the model provider failed",
  UPSTREAM_TIMEOUT: "the model provider did not answer in time",
  INTERNAL: "a bug; the request id in X-Request-Id helps find it",
};
export const errorCodes = Object.keys(errorCodeMeanings) as [ErrorCode, ...ErrorCode[]];

export const ErrorResponse = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.enum(errorCodes).openapi({
        description: Object.entries(errorCodeMeanings)
          .map(([code, meaning]) => `- \`${code}\` (${statusOf(code as ErrorCode)}): ${meaning}`)
          .join("\n"),
        example: "VALIDATION_FAILED",
      }),
      message: z.string().openapi({ description: "what went wrong, for people; never contains a secret" }),
      details: z.unknown().optional().openapi({ description: "structured context, e.g. the failed fields or the limit reached" }),
    }),
  })
  .openapi("Error");

const retryAfterHeader = {
  "Retry-After": { description: "seconds to wait before trying again", schema: { type: "integer" as const, example: 12 } },
};

const errorExamples: Record<number, [string, ErrorCode, string]> = {
  400: ["invalid input", "VALIDATION_FAILED", "invalid request: name: name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'"],
  401: ["missing or invalid credential", "UNAUTHORIZED", "missing organisation token: send Authorization: Bearer <token>"],
  402: ["the organisation's invoice is unpaid", "PAYMENT_REQUIRED", "organisation 2's invoice is past due: new tenants and deploys are refused until it is paid"],
  403: ["not allowed for this credential", "FORBIDDEN", "this token belongs to organisation 2, not 1"],
  404: ["not found (or another organisation's)", "NOT_FOUND", "tenant 42 not found"],
  409: ["conflict with the current state", "INVALID_STATE", "tenant 42 is destroyed"],
  413: ["request body too large", "PAYLOAD_TOO_LARGE", "request body is larger than 65536 bytes"],
  429: ["rate limited or over quota", "RATE_LIMITED", "rate limit of 60 convergence calls per minute reached"],
  500: ["internal error", "INTERNAL", "internal error"],
  502: ["the model provider failed", "UPSTREAM_ERROR", "the model provider answered HTTP 500"],
  503: ["a dependency is unavailable", "DEPENDENCY_UNAVAILABLE", "a backing service (Postgres or Redis) is unavailable; try again shortly"],
  504: ["the model provider timed out", "UPSTREAM_TIMEOUT", "the model provider did not answer within 60000 ms"],
};

/**
 * Error responses of a route: the statuses it names, plus 500 and 503, which any route can answer
 * (a bug; Postgres or Redis down). 429 and 503 carry Retry-After.
 */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([...statuses, 500, 503])].map((s) => {
      const [description, code, message] = errorExamples[s] ?? ["error", "INTERNAL", "error"];
      return [
        s,
        {
          description,
          ...(s === 429 || s === 503 ? { headers: retryAfterHeader } : {}),
          content: { "application/json": { schema: ErrorResponse, example: { success: false, error: { code, message } } } },
        },
      ];
    }),
  );

export const TenantStatusSchema = z.enum(tenantStatuses).openapi("TenantStatus", {
  description: "pending → provisioning → starting → ready ⇄ unhealthy; any → failed; any → destroying → destroyed",
  example: "ready",
});

const dateTime = (description?: string) => z.string().openapi({ format: "date-time", example: "2026-11-29T10:15:30.000Z", ...(description ? { description } : {}) });

const NodeSchema = z
  .object({
    id: z.string().openapi({ example: "xx8t38cx4vzlh6oinfj73qyjk" }),
    hostname: z.string().openapi({ example: "cvg-node-1" }),
    address: z.string().openapi({ description: "the IP the host is reached at", example: "198.18.0.11" }),
  })
  .openapi("Node", { description: "the host the tenant runs on: a Swarm node, or the Docker engine's host; null until it is first ready, and once failed or destroyed" });

const AddressSchema = z.string().nullable().openapi({
  description:
    "host:port where the tenant's app answers (it changes when Swarm moves the tenant to another node, and the ingress route follows it); null until it is first ready, and once failed or destroyed",
  example: "198.18.0.11:3001",
});

/** Scale to zero (docs/idle.md): seconds without traffic before the tenant is paused, then stopped; null = never. */
export const IdlePolicySchema = z
  .strictObject({
    pauseAfterSeconds: z
      .number()
      .int()
      .min(1)
      .max(31_536_000)
      .nullable()
      .openapi({ example: 300, description: "pause (memory kept, CPU frozen) after this many seconds without traffic; null = never" }),
    stopAfterSeconds: z
      .number()
      .int()
      .min(1)
      .max(31_536_000)
      .nullable()
      .openapi({ example: 3600, description: "stop (memory freed; port, route, key, data kept) after this many seconds without traffic; null = never" }),
  })
  .openapi("IdlePolicy");

const IdlePolicyViewSchema = z
  .object({
    ...IdlePolicySchema.shape,
    lastActiveAt: dateTime("when the idle watch last saw traffic (a request through the ingress, an open or new connection)").nullable(),
  })
  .openapi("TenantIdle");

export const TenantSchema = z
  .object({
    envId: z.number().int().openapi({ example: 1 }),
    tenantId: z.string().openapi({ example: "tenant_1" }),
    orgId: z.number().int(),
    name: z.string().openapi({ example: "my-app" }),
    language: z.string().openapi({ example: "node" }),
    framework: z.string().openapi({ example: "express" }),
    status: TenantStatusSchema,
    port: z.number().int().nullable().openapi({ example: 3001, description: "the host port the app is published on (127.0.0.1 by default)" }),
    url: z
      .string()
      .nullable()
      .openapi({ example: "https://my-app-1.localhost", description: "the tenant's HTTPS address through the ingress (it answers while ready or unhealthy); null once failed or torn down" }),
    node: NodeSchema.nullable(),
    address: AddressSchema,
    containerName: z.string().openapi({ example: "convergence-tenant-1" }),
    containerId: z.string().nullable(),
    image: z.string().nullable(),
    revision: z.number().int().openapi({ example: 1, description: "the live revision (1: the spawn's template; each deploy, rollback, env change or key rotation adds one)" }),
    healthPath: z.string().openapi({ example: "/health", description: "where the app's health is checked" }),
    apiKeyPrefix: z.string().openapi({ example: "sk_tenant_AbC123" }),
    error: z.string().nullable(),
    webhookUrl: z.string().nullable(),
    quota: z.object({ callsPerMinute: z.number().int().nullable(), callsPerMonth: z.number().int().nullable() }),
    idle: IdlePolicyViewSchema,
    health: z.object({
      lastCheckAt: dateTime().nullable(),
      consecutiveFailures: z.number().int(),
      restartCount: z.number().int(),
    }),
    createdAt: dateTime(),
    updatedAt: dateTime(),
    statusChangedAt: dateTime(),
    readyAt: dateTime("when it last became ready").nullable(),
    destroyedAt: dateTime().nullable(),
  })
  .openapi("Tenant");

/** What a webhook receiver gets (shared/webhooks/event-catalog.ts builds it); strict, so a test catches drift. */
export const WebhookPayloadSchema = z
  .strictObject({
    type: z.enum(webhookEventTypes),
    timestamp: dateTime("when the state change happened"),
    data: z.strictObject({
      envId: z.number().int().openapi({ example: 1 }),
      tenantId: z.string().openapi({ example: "tenant_1" }),
      orgId: z.number().int().openapi({ example: 1 }),
      name: z.string().openapi({ example: "my-app" }),
      status: TenantStatusSchema,
      previousStatus: TenantStatusSchema,
      port: z.number().int().nullable().openapi({ example: 3001 }),
      url: z.string().nullable().openapi({ example: "https://my-app-1.localhost", description: "the tenant's HTTPS address; null once failed or torn down" }),
      node: NodeSchema.nullable(),
      address: AddressSchema,
      error: z.string().nullable().openapi({ description: "why it failed, for tenant.failed" }),
      reason: z.string().nullable().openapi({ example: "health check passed" }),
      health: z.strictObject({
        lastCheckAt: dateTime().nullable(),
        consecutiveFailures: z.number().int(),
        restartCount: z.number().int(),
      }),
      readyAt: dateTime().nullable(),
      destroyedAt: dateTime().nullable(),
    }),
  })
  .openapi("WebhookPayload");

/** A tenant with its API key: answered by spawn and by key rotation only, never again. */
export const TenantWithKeySchema = z
  .object({
    ...TenantSchema.shape, // flat rather than allOf: some OpenAPI tools handle allOf poorly
    apiKey: z.string().openapi({ description: "the tenant's API key, shown only in this answer", example: "sk_tenant_8fJ2kq0VbW3xYz7LmN4pQr5sT6uV9wXa" }),
  })
  .openapi("TenantWithKey");

/**
 * What spawn answers: the tenant and its key. An idempotent replay (the same Idempotency-Key
 * within its window) answers the same tenant, without the key once it was rotated or revoked since.
 */
export const SpawnedTenantSchema = z
  .object({
    ...TenantSchema.shape,
    apiKey: z.string().optional().openapi({
      description: "the tenant's API key, shown only in this answer; absent on a replay once the key has been rotated (or the tenant destroyed) since",
      example: "sk_tenant_8fJ2kq0VbW3xYz7LmN4pQr5sT6uV9wXa",
    }),
  })
  .openapi("SpawnedTenant");

/** The largest value of a Postgres integer column (ids, ports, counts). */
export const MAX_INT4 = 2_147_483_647;

/** C0 and C1 control characters and DEL; `\t`, `\n`, `\r` are allowed only where text spans lines. */
const controlChars = /[\u0000-\u001f\u007f-\u009f]/;
const controlCharsButLines = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * A string field that ends up stored or echoed: Unicode NFC, trimmed (unless it spans lines),
 * without control characters, without lone surrogates (Postgres cannot store either a NUL or a
 * half of a surrogate pair), at most `max` characters after normalisation.
 */
export function text(field: string, opts: { min?: number; max: number; multiline?: boolean }) {
  const { min = 1, max, multiline = false } = opts;
  const length = `${field} must be ${min}-${max} characters`;
  return z
    .string({ error: `${field} is required and must be a string` })
    .min(min, length)
    .max(max, length)
    .refine(wellFormed, `${field} must be valid Unicode (it contains a lone surrogate)`)
    .refine((v) => !(multiline ? controlCharsButLines : controlChars).test(v), `${field} must not contain control characters`)
    .transform((v) => (multiline ? v.normalize("NFC") : v.normalize("NFC").trim()))
    .refine((v) => v.length >= min && v.length <= max, `${length} (after normalising and trimming)`);
}

/** No lone surrogate: every UTF-16 surrogate is half of a pair (String.prototype.isWellFormed, before Node 20's typings have it). */
export function wellFormed(v: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v);
}

/** An ISO 8601 date or date-time between years 2000 and 9999, as a Date. */
export const isoDate = (field: string) =>
  z
    .string()
    .max(40, `${field} must be an ISO date or date-time`)
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, `${field} must be an ISO date or date-time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z`)
    .transform((v, ctx) => {
      const d = new Date(v);
      const year = d.getUTCFullYear();
      if (Number.isNaN(d.getTime()) || year < 2000 || year > 9999) {
        ctx.addIssue({ code: "custom", message: `${field} must be a real date between the years 2000 and 9999` });
        return z.NEVER;
      }
      return d;
    });

/**
 * The `{id}` of every `/api/v1/tenant/{id}/…` path: the envId in plain decimal (1-2147483647; no
 * sign, leading zero, fraction, exponent or hex) or the tenantId (`tenant_1`), parsed to the envId
 * by envIdOfTenantId, the one parser of tenant ids. The tenant limit of an access token is checked
 * against this parse too (api/access.ts), so no other spelling can name a tenant.
 */
export const TenantIdParam = z.object({
  id: z
    .string()
    .transform((value, ctx) => {
      const envId = envIdOfTenantId(value, { bareEnvId: true });
      if (envId === null) {
        ctx.addIssue({ code: "custom", message: `tenant id must be an envId (1-${MAX_INT4}, decimal digits only) or a tenantId such as tenant_1; got ${JSON.stringify(value.slice(0, 40))}` });
        return z.NEVER;
      }
      return envId;
    })
    .openapi({
      param: { name: "id", in: "path", description: "the tenant: its envId (`1`) or its tenantId (`tenant_1`)" },
      type: "integer",
      exclusiveMinimum: 0,
      maximum: MAX_INT4,
      example: 1,
    }),
});

export const tenantName = z
  .string({ error: "name is required and must be a string" })
  .min(1, "name must be 1-63 characters")
  .max(63, "name must be 1-63 characters")
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "name must be a DNS label: lowercase letters, digits and '-', not starting or ending with '-'");

export const OrganisationSchema = z
  .object({
    id: z.number().int().openapi({ example: 2 }),
    name: z.string().openapi({ example: "acme" }),
    tokenPrefix: z.string().openapi({ description: "the token's first characters, to tell tokens apart", example: "cvg_org_Qm8x" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Organisation");

export const BillingSchema = z
  .object({
    enabled: z.boolean().openapi({ description: "whether this platform reports usage to Stripe (STRIPE_SECRET_KEY is set)" }),
    stripeCustomerId: z.string().nullable().openapi({ description: "the Stripe customer the organisation's usage is billed to", example: "cus_NciAYcXfLnqBoz" }),
    status: z.enum(["active", "past_due"]).openapi({ description: "`past_due` after Stripe reported a failed invoice payment: new spawns and deploys answer 402 until it is paid" }),
    reportedThrough: z.string().nullable().openapi({ format: "date-time", description: "every call before this time has been reported to Stripe (or is shown as failed or expired)" }),
  })
  .openapi("Billing");

/** The platform operator: CONVERGENCE_ADMIN_TOKEN or organisation 1's token. */
export const operatorSecurity = [{ operatorToken: [] }];

/** `org_id` on organisation-scoped queries: optional, and must be the token's own organisation. */
export const orgIdQuery = z.coerce.number().int().positive().max(MAX_INT4, "org_id is out of range").optional().openapi({ description: "must be the token's organisation", example: 1 });

/**
 * `tenant_id` on queries: the tenant's `tenantId` (`tenant_1`). A bare integer is still accepted
 * and read as the envId, as this parameter took before. Parsed to the envId.
 */
export const tenantIdQuery = z
  .string()
  .max(40)
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

/** A dashboard session, as sign-in, renewal and GET /api/v1/auth/session answer it (the token itself is only in the cookie). */
export const SessionSchema = z
  .object({
    orgId: z.number().int().openapi({ example: 1 }),
    expiresAt: dateTime("when the session's current token expires, unless renewed before"),
    maxExpiresAt: dateTime("the session cannot be renewed past this; sign in again then"),
    scopes: z.array(z.string()).openapi({ example: ["tenants:read", "tenants:write", "usage:read"] }),
    csrfToken: z.string().openapi({ description: "send it as `X-CSRF-Token` on every cookie-authenticated request that changes something (also in the `cvg_csrf` cookie)" }),
  })
  .openapi("Session");

/** The 200 answer of sign-in and renewal: the session, and its cookies set. */
export const sessionCookiesResponse = (description: string) => ({
  description,
  headers: { "Set-Cookie": { description: "cvg_session and cvg_csrf", schema: { type: "string" as const } } },
  content: { "application/json": { schema: z.object({ success: z.literal(true), session: SessionSchema }) } },
});
