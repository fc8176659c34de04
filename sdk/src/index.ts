/**
 * @convergence/sdk: a typed client for the Convergence control plane API, generated from its
 * OpenAPI document.
 *
 *   const cvg = new Convergence({ baseUrl: "http://localhost:3000", token });
 *   const t = await cvg.tenants.spawn({ name: "my-app", language: "node", framework: "express" }, { wait: "ready" });
 */
export { Convergence, type ConvergenceOptions } from "./client.js";
export { ConvergenceError, TenantFailedError, WebhookVerificationError, type SdkErrorCode } from "./errors.js";
export type { RetryInfo, RetryOptions } from "./http.js";
export type { Organisations } from "./orgs.js";
export type { ReconnectOptions } from "./sse.js";
export { TenantClient, type TenantClientOptions } from "./tenant-client.js";
export type { DeployOptions, DestroyOptions, EventsOptions, ListOptions, LogsOptions, SpawnOptions, Tenants, WaitOptions } from "./tenants.js";
export { envIdOf, type Usage, type UsageQuery } from "./usage.js";
export { verifyWebhook, type WebhookHeaders, type Webhooks } from "./webhooks.js";
export type * from "./types.js";
export type { components, paths, webhooks } from "./generated/openapi.js";
