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
import { cameOverHttps } from "./forwarded.js";
import { WebhookPayloadSchema } from "./schemas.js";

const info = {
  title: "Convergence control plane API",
  version: "1",
  contact: { name: "The operator of this Convergence installation" },
  license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
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
  { name: "Deployments", description: "Your own code in a tenant: revisions built offline and switched to without downtime, rollback, the app's environment variables (see docs/deploys.md)." },
  { name: "Usage", description: "Metered convergence calls, for billing." },
  { name: "Billing", description: "Stripe billing: what was reported to Stripe, reconciled against Stripe's own totals, and payment state (see docs/billing.md)." },
  { name: "Convergence", description: "The convergence call itself, made by a tenant with its own key." },
  {
    name: "Authentication",
    description: "Short-lived scoped access tokens made from the organisation token, the keys that verify them, rotating the organisation token, and the dashboard's sessions.",
  },
  { name: "Organisations", description: "Your organisation's limits and usage; creating organisations, for the platform operator." },
];

/** Where the API is: /openapi.json names the origin it was read from instead (see documentApi). */
const servers = [{ url: "/", description: "this installation (the host that served this document)" }];

/** Response headers every operation sends. */
const sharedHeaders = {
  RequestId: {
    description: "This request's id: the one sent in `X-Request-Id` (when it is a sensible id) or a new one. It is on the request's log line; quote it when reporting a problem.",
    schema: { type: "string" as const, example: "req_01JDQ0V8W2Q6B1M7Y3K9T4H5ZX" },
  },
};

const webhookDescriptions: Record<(typeof webhookEventTypes)[number], string> = {
  "tenant.ready": "The tenant answers on its port (first start, or again after a key rotation re-created it).",
  "tenant.failed": "The tenant could not be started or kept running; `data.error` says why.",
  "tenant.unhealthy": "Health checks fail; the platform restarts the container with back-off.",
  "tenant.recovered": "An unhealthy tenant is ready again.",
  "tenant.destroyed": "The tenant's container and port are gone; the record stays for billing.",
  "tenant.paused": "The tenant was put to sleep, paused (idle, or POST /sleep): memory kept, CPU frozen; the next request wakes it.",
  "tenant.stopped": "The tenant was put to sleep, stopped: memory freed; port, route, key and data kept; the next request wakes it.",
  "tenant.woke": "A paused or stopped tenant is ready again (a request through its hostname, or POST /wake).",
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
  for (const type of webhookEventTypes) {
    registry.registerWebhook({
      method: "post",
      path: type,
      operationId: `${type.replace(/\.(\w)/, (_, c: string) => c.toUpperCase())}Webhook`,
      summary: type,
      description: `${webhookDescriptions[type]} Sent to the tenant's \`webhookUrl\`, signed per Standard Webhooks with the organisation's secret (GET /api/v1/webhooks/secret); verify with \`verifyWebhook\` from \`@convergence/sdk\`.`,
      tags: ["Webhooks"],
      security: [], // the receiver checks the signature headers, not a credential of ours
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
  // Built on first request, when every route is registered, then served as it is, with `servers`
  // naming the origin the client reached (so /docs's "try it" and generated clients call the host
  // they read the document from, through the ingress or not).
  let document: ReturnType<typeof openApiDocument> | undefined;
  const served = new Map<string, string>();
  app.get("/openapi.json", (c) => {
    document ??= openApiDocument(app);
    const origin = `${cameOverHttps(c) ? "https" : "http"}://${c.req.header("host") ?? "localhost"}`;
    let body = served.get(origin);
    if (body === undefined) {
      body = JSON.stringify({ ...document, servers: [{ url: origin, description: "this installation" }] });
      if (served.size >= 16) served.clear(); // a few names for one installation; never grows with hostile Host headers
      served.set(origin, body);
    }
    return c.body(body, 200, { "content-type": "application/json" });
  });
  mountDocs(app, info.title);
}

/**
 * The document /openapi.json serves, from the app's routes: what they declare, plus what every
 * operation shares and no route should have to repeat (the `X-Request-Id` response header).
 * scripts/openapi-dump.ts writes it without services, for the linters (tests/openapi-lint.test.ts).
 */
export function openApiDocument(app: OpenAPIHono<HonoEnv>) {
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info, tags, servers });
  doc.components = { ...doc.components, headers: { ...doc.components?.headers, ...sharedHeaders } };
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const) {
      for (const response of Object.values(item?.[method]?.responses ?? {})) {
        if ("$ref" in response) continue;
        response.headers = { "X-Request-Id": { $ref: "#/components/headers/RequestId" }, ...response.headers };
      }
    }
  }
  return doc;
}
