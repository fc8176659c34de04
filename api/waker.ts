/**
 * The waker (docs/idle.md): the listener a sleeping tenant's ingress route points at, in the API
 * process (WAKER_HOST:WAKER_PORT, loopback by default; it never talks to Docker). Caddy names the
 * tenant in X-Convergence-Wake-Env. A request is HELD, not refused: the waker asks for a wake
 * (one state change in Postgres and one job, however many requests arrive at once: the state
 * machine lets exactly one of them move the tenant to `waking`), waits for `ready` on the status
 * feed (LISTEN, no polling), then proxies the held request to the tenant's app. Meanwhile the wake
 * job put the tenant's direct route back, so the next requests no longer come here. Past
 * TENANT_WAKE_TIMEOUT_MS the client gets 503 WAKE_TIMEOUT with Retry-After, and the reason is
 * written to the tenant's `error`.
 */
import { and, eq } from "drizzle-orm";
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tenants, type Tenant } from "../shared/db/schema.js";
import { AppError, statusOf, type ErrorCode } from "../shared/errors.js";
import { WAKE_HEADER } from "../shared/ingress/caddy/ingress.js";
import { getTenant } from "../shared/tenants/queries.js";
import { requestWake } from "../shared/tenants/sleep.js";
import { waitForTenantStatus } from "../shared/tenants/status-watch.js";
import type { ApiContext } from "./env.js";

const wakeHeader = WAKE_HEADER.toLowerCase();
/** Hop-by-hop headers (RFC 9110 §7.6.1): not forwarded. */
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

export function startWaker(ctx: ApiContext): Server | null {
  if (ctx.config.WAKER_PORT === 0) return null;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    handle(ctx, agent, req, res).catch((err: unknown) => {
      ctx.logger.error({ err }, "waker failed a request");
      if (!res.headersSent) fail(res, "INTERNAL", "the waker failed; see the API's log");
      else res.destroy();
    });
  });
  // A WebSocket (an upgrade) is not held: it asks for the wake and is told to come back, once.
  server.on("upgrade", (req: IncomingMessage, socket: import("node:stream").Duplex) => {
    const envId = Number(req.headers[wakeHeader]);
    const answer = () => socket.end("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if (!Number.isInteger(envId) || envId <= 0) return answer();
    requestWake({ ctx, envId, reason: "woken by a WebSocket through the ingress" })
      .catch((err: unknown) => ctx.logger.warn({ err, envId }, "a WebSocket could not wake its tenant"))
      .finally(answer);
  });
  server.on("error", (err: NodeJS.ErrnoException) => {
    ctx.logger.fatal({ err: { code: err.code, message: err.message } }, `the waker cannot listen on ${ctx.config.WAKER_HOST}:${ctx.config.WAKER_PORT} (set WAKER_PORT, or 0 to turn it off)`);
    process.exit(1);
  });
  server.listen(ctx.config.WAKER_PORT, ctx.config.WAKER_HOST, () => ctx.logger.info({ port: ctx.config.WAKER_PORT, host: ctx.config.WAKER_HOST }, "waker listening"));
  return server;
}

async function handle(ctx: ApiContext, agent: Agent, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const envId = Number(req.headers[wakeHeader]);
  if (!Number.isInteger(envId) || envId <= 0) return fail(res, "NOT_FOUND", "no tenant answers at this hostname");
  let tenant = await getTenant(ctx.db, envId);
  if (!tenant) return fail(res, "NOT_FOUND", "no tenant answers at this hostname");
  if (tenant.status !== "ready") {
    try {
      tenant = await requestWake({ ctx, envId, reason: "woken by a request through the ingress" });
    } catch (err) {
      if (err instanceof AppError) {
        if (err.code === "CAPACITY_EXHAUSTED") await noteWakeFailure(ctx, envId, `a request could not wake it: ${err.message}`);
        return fail(res, err.code, err.message, err.headers);
      }
      throw err;
    }
    const closed = new AbortController();
    res.on("close", () => closed.abort());
    tenant = await waitForTenantStatus(ctx, { orgId: tenant.orgId, envId, wait: "ready", timeoutMs: ctx.config.TENANT_WAKE_TIMEOUT_MS, signal: closed.signal });
    if (closed.signal.aborted) return;
    if (tenant.status !== "ready") {
      const reason = `a request waited ${ctx.config.TENANT_WAKE_TIMEOUT_MS} ms for it to wake, and it is still ${tenant.status}`;
      if (tenant.status === "waking") await noteWakeFailure(ctx, envId, reason);
      return fail(res, "WAKE_TIMEOUT", `tenant ${envId} did not wake in time: ${reason}`, { "Retry-After": "5" });
    }
  }
  proxy(agent, tenant, req, res);
}

/** The held request, to the tenant's app where it answers now (its published port). */
function proxy(agent: Agent, tenant: Tenant, req: IncomingMessage, res: ServerResponse): void {
  const address = tenant.address;
  if (!address) {
    fail(res, "UPSTREAM_ERROR", `tenant ${tenant.envId} is ready but publishes no address`);
    return;
  }
  const colon = address.lastIndexOf(":");
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== wakeHeader && !hopByHop.has(k)) headers[k] = v;
  const upstream = httpRequest({ agent, host: address.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(address.slice(colon + 1)), method: req.method, path: req.url, headers }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !hopByHop.has(k)) out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.on("error", (err) => {
    if (!res.headersSent) fail(res, "UPSTREAM_ERROR", `tenant ${tenant.envId} woke, but the request to it failed: ${err.message}`);
    else res.destroy();
  });
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}

/** The reason a wake failed goes where the tenant's owner looks: its status' `error`. */
async function noteWakeFailure(ctx: ApiContext, envId: number, reason: string): Promise<void> {
  await ctx.db
    .update(tenants)
    .set({ lastError: reason, updatedAt: new Date() })
    .where(and(eq(tenants.envId, envId)))
    .catch((err: unknown) => ctx.logger.warn({ err, envId }, "could not record why a wake failed"));
}

function fail(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(statusOf(code), { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ success: false, error: { code, message } }));
}
