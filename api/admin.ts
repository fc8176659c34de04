/**
 * The platform operator's surfaces: the BullMQ dashboard (bull-board) at /admin/queues (and
 * /metrics when the operations listener is not on loopback, see api/ops.ts), and organisation
 * management in the API (requireOperator). For operators only: the token of
 * organisation 1 (the bootstrap organisation) or CONVERGENCE_ADMIN_TOKEN. Any other valid
 * organisation token is 403, anything else 401. The token is accepted as `Authorization: Bearer`
 * (scripts) or as the password of HTTP Basic auth (any user name), so a browser can open the
 * dashboard: the 401 carries `WWW-Authenticate: Basic`, the browser prompts once and then sends
 * the credentials with every page, asset and API call of the dashboard.
 */
import type { Queue } from "bullmq";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { AppError } from "../shared/errors.js";
import { ADMIN_ORG_ID, authenticateOrganisation } from "../shared/orgs.js";
import { bearerToken, clientAddress } from "./auth.js";
import type { HonoEnv } from "./env.js";

export const ADMIN_BASE_PATH = "/admin/queues";

const challenge = { "WWW-Authenticate": 'Basic realm="Convergence queues", charset="UTF-8"' };

export const requireAdmin = createMiddleware<HonoEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const token = bearerToken(header) ?? basicPassword(header);
  if (!token) throw new AppError("UNAUTHORIZED", "the operations endpoints need the admin token (Bearer, or as the Basic auth password)", undefined, challenge);
  await assertOperator(c, token, "the operations endpoints are for the platform operator (organisation 1) only", challenge);
  c.get("log").bind({ admin: true });
  await next();
});

/** The same operator check for API calls (organisation management): Bearer only, no browser prompt. */
export const requireOperator = createMiddleware<HonoEnv>(async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token) throw new AppError("UNAUTHORIZED", "missing operator token: send Authorization: Bearer <CONVERGENCE_ADMIN_TOKEN or organisation 1's token>");
  await assertOperator(c, token, "only the platform operator (CONVERGENCE_ADMIN_TOKEN or organisation 1) may do this");
  c.get("log").bind({ admin: true });
  await next();
});

/** CONVERGENCE_ADMIN_TOKEN or organisation 1's token; a wrong token counts as a failed authentication. */
async function assertOperator(c: Context<HonoEnv>, token: string, forbidden: string, headers?: Record<string, string>): Promise<void> {
  const ctx = c.get("ctx");
  const client = clientAddress(c);
  ctx.auth.failures.assertAllowed(client, token);
  const adminToken = ctx.config.CONVERGENCE_ADMIN_TOKEN;
  if (adminToken && sameSecret(token, adminToken)) return;
  const org = await authenticateOrganisation(ctx.db, token);
  if (!org) throw (await ctx.auth.failures.recordFailure(client, token)) ?? new AppError("UNAUTHORIZED", "invalid token", undefined, headers);
  if (org.id !== ADMIN_ORG_ID) throw new AppError("FORBIDDEN", forbidden);
}

/**
 * The dashboard: a handler for ADMIN_BASE_PATH and everything under it, behind requireAdmin.
 * bull-board and its UI are loaded on the first request (they cost ~15 MB of memory that an API
 * process whose dashboard nobody opens would carry for nothing).
 */
export function queueDashboard(queues: Queue[]) {
  let dashboard: Promise<Hono> | undefined;
  const load = async () => {
    const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { serveStatic }] = await Promise.all([
      import("@bull-board/api"),
      import("@bull-board/api/bullMQAdapter"),
      import("@bull-board/hono"),
      import("@hono/node-server/serve-static"),
    ]);
    const serverAdapter = new HonoAdapter(serveStatic);
    serverAdapter.setBasePath(ADMIN_BASE_PATH);
    createBullBoard({
      queues: queues.map((q) => new BullMQAdapter(q)),
      serverAdapter,
      options: { uiConfig: { boardTitle: "Convergence queues" } },
    });
    return new Hono().route(ADMIN_BASE_PATH, serverAdapter.registerPlugin());
  };
  return createMiddleware<HonoEnv>(async (c) => {
    dashboard ??= load().catch((err: unknown) => {
      dashboard = undefined; // try again on the next request
      throw err;
    });
    return (await dashboard).fetch(c.req.raw, c.env);
  });
}

function basicPassword(header: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const password = colon >= 0 ? decoded.slice(colon + 1) : "";
  return password || null;
}

/** Constant-time comparison of two secrets of any length (hash first, then compare digests). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
