/**
 * The Hono app: middleware (request id, logging, body limit, auth), the management routes, the
 * OpenAPI document and docs, and probes. Built from a context so tests can build their own.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { AppError } from "../shared/errors.js";
import { ADMIN_BASE_PATH, queueDashboard, requireAdmin, requireOperator } from "./admin.js";
import { requireOrganisation, requireTenantKey } from "./auth.js";
import type { ApiContext, HonoEnv } from "./env.js";
import { errorBody, onError, validationError } from "./errors.js";
import { documentApi } from "./openapi.js";
import { convergeHandler, convergeRoute } from "./routes/converge.js";
import { destroyHandler, destroyRoute } from "./routes/destroy.js";
import { eventsHandler, eventsRoute } from "./routes/events.js";
import { listHandler, listRoute } from "./routes/list.js";
import { logsHandler, logsRoute } from "./routes/logs.js";
import { orgCreateHandler, orgCreateRoute } from "./routes/org-create.js";
import { spawnHandler, spawnRoute } from "./routes/spawn.js";
import { rotateKeyHandler, rotateKeyRoute } from "./routes/rotate-key.js";
import { statusHandler, statusRoute } from "./routes/status.js";
import { usageHandler, usageRoute } from "./routes/usage.js";
import { webhookSecretHandler, webhookSecretRoute } from "./routes/webhook-secret.js";
import { webhookSecretRotateHandler, webhookSecretRotateRoute } from "./routes/webhook-secret-rotate.js";
import { webhooksHandler, webhooksRoute } from "./routes/webhooks.js";

export function createApp(ctx: ApiContext) {
  const app = new OpenAPIHono<HonoEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    c.set("ctx", ctx);
    c.set("log", ctx.logger.child({ requestId: c.get("requestId") }));
    await next();
    const ms = performance.now() - started;
    ctx.metrics.observeRequest(c, ms / 1000);
    c.get("log").info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms) },
      "request",
    );
  });

  // Bodies are JSON whatever the Content-Type says (curl -d sends form encoding by default).
  app.use("/api/v1/*", async (c, next) => {
    if (c.req.method === "POST" && !/json/i.test(c.req.header("content-type") ?? "")) {
      const headers = new Headers(c.req.raw.headers);
      headers.set("content-type", "application/json");
      c.req.raw = new Request(c.req.raw, { headers, duplex: "half" } as RequestInit);
    }
    await next();
  });
  app.use(
    "/api/v1/*",
    bodyLimit({
      maxSize: ctx.config.BODY_LIMIT_BYTES,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", `request body is larger than ${ctx.config.BODY_LIMIT_BYTES} bytes`);
      },
    }),
  );
  app.use("/api/v1/tenant", requireOrganisation);
  app.use("/api/v1/tenant/*", requireOrganisation);
  app.use("/api/v1/webhooks/*", requireOrganisation);
  app.use("/api/v1/usage", requireOrganisation);
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
  app.openapi(usageRoute, usageHandler);
  app.openapi(convergeRoute(ctx.config), convergeHandler);
  app.openapi(orgCreateRoute, orgCreateHandler);
  documentApi(app); // /openapi.json and /docs

  app.get("/healthz", (c) => c.json({ success: true, status: "ok" }));
  app.get("/readyz", async (c) => {
    const checks = await Promise.all([
      withTimeout(ctx.sql`select 1`, 2000).then(() => "ok", (e: Error) => `down: ${e.message}`),
      withTimeout(ctx.redis.ping(), 2000).then(() => "ok", (e: Error) => `down: ${e.message}`),
    ]);
    const [postgres, redis] = checks;
    const ok = checks.every((s) => s === "ok");
    // The status feed (LISTEN for ?wait= and event streams) is reported, not gated on: it re-subscribes by itself.
    const statusFeed = ctx.statusFeed.isListening ? "listening" : "reconnecting";
    return c.json({ success: ok, checks: { postgres, redis }, statusFeed }, ok ? 200 : 503);
  });
  // Prometheus text; cluster metrics are read at scrape time (see api/metrics.ts).
  app.get("/metrics", async (c) => {
    const { body, contentType } = await ctx.metrics.render();
    return c.body(body, 200, { "Content-Type": contentType });
  });
  app.use(ADMIN_BASE_PATH, requireAdmin);
  app.use(`${ADMIN_BASE_PATH}/*`, requireAdmin);
  app.route(ADMIN_BASE_PATH, queueDashboard(ctx.metrics.queues));

  app.notFound((c) => c.json(errorBody(new AppError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)), 404));
  app.onError(onError);
  return app;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);
}
