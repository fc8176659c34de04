/**
 * The Hono app on the public port: middleware (request id, logging, body limit, auth), the
 * management routes, the OpenAPI document and docs, the dashboard (/app), and probes. Metrics
 * and the queue dashboard are not here: they are on the operations listener (api/ops.ts). Built
 * from a context so tests can build their own.
 */
import type { Http2Bindings, HttpBindings } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../shared/errors.js";
import { assertAccessDeclared } from "./access.js";
import { requireOperator } from "./admin.js";
import { requestDeadline } from "./deadline.js";
import { authenticate, requireTenantKey } from "./auth.js";
import { mountDashboard } from "./dashboard.js";
import type { ApiContext, HonoEnv } from "./env.js";
import { errorBody, onError, validationError } from "./errors.js";
import { strictTransportSecurity } from "./forwarded.js";
import { documentApi } from "./openapi.js";
import { checkReadiness } from "./readiness.js";
import { requestHeader } from "./node-http.js";
import { observeRequests } from "./request-log.js";
import { CachedTrieRouter } from "./route-cache.js";
import { convergeHandler, convergeRoute } from "./routes/converge.js";
import { destroyHandler, destroyRoute } from "./routes/destroy.js";
import {
  deployHandler,
  deployRoute,
  deploymentLogsHandler,
  deploymentLogsRoute,
  getDeploymentHandler,
  getDeploymentRoute,
  getEnvHandler,
  getEnvRoute,
  listDeploymentsHandler,
  listDeploymentsRoute,
  putEnvHandler,
  putEnvRoute,
  rollbackHandler,
  rollbackRoute,
} from "./routes/deployments.js";
import { eventsHandler, eventsRoute } from "./routes/events.js";
import { jwksHandler, jwksRoute } from "./routes/jwks.js";
import { listHandler, listRoute } from "./routes/list.js";
import { orgEventsHandler, orgEventsRoute } from "./routes/org-events.js";
import { logsHandler, logsRoute } from "./routes/logs.js";
import { orgTokenRotateHandler, orgTokenRotateRoute } from "./routes/org-token-rotate.js";
import { orgCreateHandler, orgCreateRoute } from "./routes/org-create.js";
import { orgHandler, orgRoute } from "./routes/org.js";
import { spawnHandler, spawnRoute } from "./routes/spawn.js";
import { rotateKeyHandler, rotateKeyRoute } from "./routes/rotate-key.js";
import { sessionCreateHandler, sessionCreateRoute } from "./routes/session-create.js";
import { sessionDeleteHandler, sessionDeleteRoute } from "./routes/session-delete.js";
import { sessionGetHandler, sessionGetRoute } from "./routes/session-get.js";
import { sessionRefreshHandler, sessionRefreshRoute } from "./routes/session-refresh.js";
import { statusHandler, statusRoute } from "./routes/status.js";
import { templatesHandler, templatesRoute } from "./routes/templates.js";
import { tokenHandler, tokenRoute } from "./routes/token.js";
import { usageHandler, usageRoute } from "./routes/usage.js";
import { webhookSecretHandler, webhookSecretRoute } from "./routes/webhook-secret.js";
import { webhookSecretRotateHandler, webhookSecretRotateRoute } from "./routes/webhook-secret-rotate.js";
import { webhooksHandler, webhooksRoute } from "./routes/webhooks.js";

export function createApp(ctx: ApiContext) {
  const app = new OpenAPIHono<HonoEnv>({
    router: new CachedTrieRouter(),
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });

  // The liveness probe answers before everything else (see livenessFirst, which serves it on the
  // public port; this route answers it elsewhere, e.g. app.request() in tests).
  app.get("/healthz", () => liveness());
  app.use(observeRequests(ctx)); // request id, ctx and log on the context; the request line and metrics
  // Answers 503 past REQUEST_TIMEOUT_MS when a dependency hangs (held requests lift it; api/deadline.ts).
  app.use(requestDeadline(ctx.config.REQUEST_TIMEOUT_MS));
  app.use(strictTransportSecurity); // over HTTPS (through the ingress) only

  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `request body is larger than ${ctx.config.BODY_LIMIT_BYTES} bytes`);
  const limitBody = bodyLimit({
    maxSize: ctx.config.BODY_LIMIT_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  // Bodies' size: one middleware, which a GET or HEAD (no body) passes straight through. Asking
  // for the body (as bodyLimit does) builds a whole Fetch Request and makes every later read of
  // it slower, so a declared Content-Length is checked as bodyLimit would, without touching the
  // body (Node refuses a body longer than it declares); only a chunked body is counted as it
  // streams in. Their type is checked by each route whose OpenAPI body is JSON (@hono/zod-openapi's
  // media-type gate): any other Content-Type, or a body without one, is 415 UNSUPPORTED_MEDIA_TYPE.
  // A deploy's archive (POST /tenant/{id}/deployments) has a limit of its own, DEPLOY_MAX_BYTES.
  const archiveTooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `the archive is larger than ${ctx.config.DEPLOY_MAX_BYTES} bytes (DEPLOY_MAX_BYTES)`);
  const limitArchive = bodyLimit({
    maxSize: ctx.config.DEPLOY_MAX_BYTES,
    onError: () => {
      throw archiveTooLarge();
    },
  });
  const deployUpload = /^\/api\/v1\/tenant\/[^/]+\/deployments\/?$/;
  app.use("/api/v1/*", (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const archive = c.req.method === "POST" && deployUpload.test(c.req.path);
    const max = archive ? ctx.config.DEPLOY_MAX_BYTES : ctx.config.BODY_LIMIT_BYTES;
    const length = requestHeader(c, "content-length");
    if (length === undefined || requestHeader(c, "transfer-encoding") !== undefined) return (archive ? limitArchive : limitBody)(c, next);
    if (Number.parseInt(length, 10) > max) throw archive ? archiveTooLarge() : tooLarge();
    return next();
  });
  // Organisation token or access token; what each operation needs of it is declared on its route
  // (api/access.ts). "/x/*" matches "/x" too: listing it twice would authenticate twice.
  for (const path of ["/api/v1/tenant/*", "/api/v1/webhooks/*", "/api/v1/usage", "/api/v1/org", "/api/v1/auth/*", "/api/v1/templates", "/api/v1/events"]) {
    app.use(path, authenticate);
  }
  app.use("/api/v1/converge", requireTenantKey);
  app.use("/api/v1/orgs", requireOperator);

  app.openapi(spawnRoute, spawnHandler);
  app.openapi(statusRoute, statusHandler);
  app.openapi(eventsRoute, eventsHandler);
  app.openapi(listRoute, listHandler);
  app.openapi(destroyRoute, destroyHandler);
  app.openapi(logsRoute, logsHandler);
  app.openapi(webhooksRoute, webhooksHandler);
  app.openapi(webhookSecretRoute, webhookSecretHandler);
  app.openapi(webhookSecretRotateRoute, webhookSecretRotateHandler);
  app.openapi(rotateKeyRoute, rotateKeyHandler);
  app.openapi(deployRoute, deployHandler);
  app.openapi(listDeploymentsRoute, listDeploymentsHandler);
  app.openapi(getDeploymentRoute, getDeploymentHandler);
  app.openapi(deploymentLogsRoute, deploymentLogsHandler);
  app.openapi(rollbackRoute, rollbackHandler);
  app.openapi(putEnvRoute, putEnvHandler);
  app.openapi(getEnvRoute, getEnvHandler);
  app.openapi(usageRoute, usageHandler);
  app.openapi(convergeRoute(ctx.config), convergeHandler);
  app.openapi(tokenRoute(ctx.config), tokenHandler);
  app.openapi(orgTokenRotateRoute, orgTokenRotateHandler);
  app.openapi(jwksRoute, jwksHandler);
  app.openapi(orgCreateRoute, orgCreateHandler);
  app.openapi(orgRoute, orgHandler);
  app.openapi(templatesRoute, templatesHandler);
  app.openapi(orgEventsRoute, orgEventsHandler);
  app.openapi(sessionCreateRoute, sessionCreateHandler);
  app.openapi(sessionGetRoute, sessionGetHandler);
  app.openapi(sessionRefreshRoute, sessionRefreshHandler);
  app.openapi(sessionDeleteRoute, sessionDeleteHandler);
  // Tenant-key and operator operations authenticate their own way; every other one declares access().
  assertAccessDeclared(app, ["/api/v1/converge", "/api/v1/orgs"]);
  documentApi(app); // /openapi.json and /docs
  mountDashboard(app); // /app

  // Ok or not, nothing more: the details (which dependency, its error) are on the operations listener's /readyz.
  app.get("/readyz", async (c) => {
    const { ok } = await checkReadiness(ctx);
    return ok ? c.json({ success: true, status: "ok" }, 200) : c.json(errorBody(new AppError("DEPENDENCY_UNAVAILABLE", "not ready")), 503);
  });

  app.notFound((c) => c.json(errorBody(new AppError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)), 404));
  app.onError(onError);
  return app;
}

/** The liveness probe's answer: the process is up and serves HTTP. */
const liveness = () => new Response('{"success":true,"status":"ok"}', { headers: { "content-type": "application/json" } });

/**
 * The public port's fetch: the app, with `GET /healthz` answered in front of it, before Hono's
 * routing and every middleware. An orchestrator asks every few seconds, so the probe is not
 * logged nor counted in the request metrics (like Rails's silence_healthcheck_path), and it
 * cannot hang, so it needs no deadline: what the middleware adds would be noise, and it cost the
 * probe more than half of its time. Any other request (a query string included) goes to the app.
 */
export function livenessFirst(fetch: (req: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>) {
  return (req: Request, env: HttpBindings | Http2Bindings) => {
    const { url, method } = env.incoming;
    return url === "/healthz" && (method === "GET" || method === "HEAD") ? liveness() : fetch(req, env);
  };
}
