/**
 * @convergence/sdk: a typed client for the Convergence control plane API, generated from its
 * OpenAPI document.
 *
 *   const cvg = new Convergence(); // CONVERGENCE_URL, CONVERGENCE_TOKEN
 *   const t = await cvg.tenants.spawn({ name: "my-app", language: "node", framework: "express" });
 *   await t.waitUntilReady();
 *   for await (const line of t.logs({ follow: true })) console.log(line);
 */
export { type AccessTokenRequest, AccessTokens } from "./access-tokens.js";
export type { Billing, BillingQuery } from "./billing.js";
export { Convergence, type ConvergenceOptions } from "./client.js";
export {
  AuthError,
  ConflictError,
  ConnectionError,
  ConvergenceError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  RequestTimeoutError,
  type SdkErrorCode,
  ServerError,
  ServiceUnavailableError,
  TenantFailedError,
  ValidationError,
  WaitTimeoutError,
  WebhookVerificationError,
} from "./errors.js";
export { DEFAULT_TIMEOUT_MS, type RetryInfo, type RetryOptions, USER_AGENT } from "./http.js";
export { envIdOf, type TenantId } from "./ids.js";
export { OrganisationCalls, type OrganisationEventsOptions } from "./organisation.js";
export { Organisations } from "./orgs.js";
export type { ReconnectOptions } from "./sse.js";
export { Templates } from "./templates.js";
export { TenantClient, type TenantClientOptions } from "./tenant-client.js";
export { TenantCalls, TenantHandle } from "./tenant-handle.js";
export { type DeployOptions, type DestroyOptions, type EventsOptions, type ListOptions, type LogsOptions, type SpawnOptions, Tenants, type WaitOptions } from "./tenants.js";
export { Usage, type UsageQuery } from "./usage.js";
export { VERSION } from "./version.js";
export { verifyWebhook, type WebhookHeaders, Webhooks } from "./webhooks.js";
export type * from "./types.js";
export type { components, paths, webhooks } from "./generated/openapi.js";
