/**
 * The operations listener (OPS_PORT on OPS_HOST, 127.0.0.1 by default): Prometheus `/metrics`,
 * `/readyz` with its details and the queue dashboard at `/admin/queues`, apart from the public API
 * port, so neither customers nor tenants (whose one reachable host port is the API's) ever reach
 * them. The dashboard always asks for the operator's credentials. On loopback `/metrics` and
 * `/readyz` are open to whoever is on the host (the scraper); bound to any other address they ask
 * for the same credentials (Prometheus sends them with `authorization` or `basic_auth`).
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { AppError } from "../shared/errors.js";
import { ADMIN_BASE_PATH, queueDashboard, requireAdmin } from "./admin.js";
import type { ApiContext, HonoEnv } from "./env.js";
import { errorBody, onError } from "./errors.js";
import { checkReadiness } from "./readiness.js";
import { RequestLogger } from "./request-logger.js";

export function createOpsApp(ctx: ApiContext) {
  const app = new Hono<HonoEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    const log = new RequestLogger(ctx.logger, c.get("requestId"));
    log.bind({ listener: "ops" });
    c.set("ctx", ctx);
    c.set("log", log);
    await next();
  });

  if (!isLoopback(ctx.config.OPS_HOST)) app.use("/metrics", requireAdmin);
  // Cluster metrics are read at scrape time (see api/metrics.ts).
  app.get("/metrics", async (c) => {
    const { body, contentType } = await ctx.metrics.render();
    return c.body(body, 200, { "Content-Type": contentType });
  });
  // Readiness with its details: each dependency's state and error, the status feed (api/readiness.ts).
  if (!isLoopback(ctx.config.OPS_HOST)) app.use("/readyz", requireAdmin);
  app.get("/readyz", async (c) => {
    const { ok, checks, statusFeed } = await checkReadiness(ctx);
    return c.json({ success: ok, checks, statusFeed }, ok ? 200 : 503);
  });
  app.use(ADMIN_BASE_PATH, requireAdmin);
  app.use(`${ADMIN_BASE_PATH}/*`, requireAdmin);
  const dashboard = queueDashboard(ctx.queues.all); // bull-board, loaded on first use
  app.all(ADMIN_BASE_PATH, dashboard);
  app.all(`${ADMIN_BASE_PATH}/*`, dashboard);

  app.notFound((c) => c.json(errorBody(new AppError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)), 404));
  app.onError(onError);
  return app;
}

/** Whether a listen address is reachable from this host only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}
