/** Names for the API's types, all from the generated OpenAPI types (src/generated/openapi.ts). */
import type { components, operations } from "./generated/openapi.js";

type Schemas = components["schemas"];
type Json<Op extends keyof operations, Status extends number> = operations[Op]["responses"] extends Record<Status, { content: { "application/json": infer T } }> ? T : never;

export type Tenant = Schemas["Tenant"];
/** A tenant with its API key: returned by key rotation (and by spawn), never again. */
export type TenantWithKey = Schemas["TenantWithKey"];
/** What spawn returns: the tenant and its key; a replay of the same Idempotency-Key after the key was rotated has no key. */
export type SpawnedTenant = Schemas["SpawnedTenant"];
/** An organisation's limits, and what it uses of them (GET /api/v1/org). */
export type OrganisationLimits = Schemas["OrganisationLimits"];
export type TenantStatus = Schemas["TenantStatus"];
/** One revision of a tenant (docs/deploys.md): `queued` → `building` → `starting` → `live`, or `failed`; later `superseded`. */
export type Deployment = Schemas["Deployment"];
/** A revision's build and start log. */
export type DeploymentLog = Json<"getDeploymentLogs", 200>;
export type SpawnInput = Schemas["SpawnRequest"];
/** One state change from the event stream; `id` is what a reconnect resumes after. */
export type TenantEvent = Schemas["TenantStatusEvent"] & { id: number };
/** One line of a followed log (`data` of `event: line`). */
export type TenantLogLine = Schemas["TenantLogLine"];
/** The answer of a logs call without follow. */
export type TenantLogs = Json<"getTenantLogs", 200>;
export type ConvergeInput = Schemas["ConvergeRequest"];
export type ConvergeResult = Schemas["ConvergeResult"];
/** A webhook's body, as `verifyWebhook` returns it. */
export type WebhookPayload = Schemas["WebhookPayload"];
export type WebhookEventType = WebhookPayload["type"];
/** A webhook event in the delivery log, with every attempt. */
export type WebhookDelivery = Schemas["WebhookEvent"];
export type Organisation = Schemas["Organisation"];
/** What the organisation uses of its limits right now. */
export type OrganisationUsage = Schemas["OrganisationUsage"];
/** GET /api/v1/org: the organisation, its limits, which of them are set for it, and its usage. */
export type OrganisationInfo = Omit<Json<"getOrganisation", 200>, "success">;
/** One state change in the organisation's event stream, with the tenant as it was then. */
export type OrganisationEvent = TenantEvent & { envId: number; tenantId: string; name: string; tenant: Tenant };
/** A template tenants are spawned from. */
export type Template = Schemas["Template"];
/** An access token (JWT) and what it may do; `tenants: null` is every tenant. */
export type AccessToken = Omit<Json<"createAccessToken", 200>, "success">;
export type AccessTokenScope = AccessToken["scopes"][number];
/** The API's error codes. */
export type ErrorCode = Schemas["Error"]["error"]["code"];
export type UsageReport = Omit<Json<"getUsage", 200>, "success">;
export type BillingReport = Omit<Json<"getBilling", 200>, "success">;
export type BillingStatus = Schemas["Billing"];
export type TenantUsage = UsageReport["tenants"][number];
export type UsageTotals = UsageReport["totals"];

/** Every call takes a signal; aborting it rejects the call with the signal's reason. */
export interface CallOptions {
  signal?: AbortSignal;
}
