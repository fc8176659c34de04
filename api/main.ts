/**
 * API process (`npm run api`): serves the Hono app on PORT, and metrics and the queue dashboard
 * on the operations listener (OPS_HOST:OPS_PORT, loopback by default), and the waker sleeping
 * tenants' routes lead to (WAKER_HOST:WAKER_PORT, api/waker.ts); never talks to Docker.
 */
import { serve } from "@hono/node-server";
import { startAuthServices } from "../shared/auth/services.js";
import { loadConfig } from "../shared/config.js";
import { createAppContext } from "../shared/context.js";
import { exitUnlessEncryptionKeyMatches } from "../shared/encryption-key.js";
import { bootstrapFirstOrganisation } from "../shared/orgs.js";
import { TenantKeyCache } from "../shared/tenant-keys.js";
import { TenantRowCache } from "../shared/tenants/row-cache.js";
import { TenantStatusFeed } from "../shared/tenants/status-feed.js";
import { createApp, livenessFirst } from "./app.js";
import type { ApiContext } from "./env.js";
import { createApiMetrics } from "./metrics.js";
import { createOpsApp } from "./ops.js";
import { startWaker } from "./waker.js";

const config = loadConfig();
const base = createAppContext(config, "api");
const log = base.logger;
// Before anything is written: a process with another key than the stored secrets' refuses to start.
await exitUnlessEncryptionKeyMatches(base.db, config.ENCRYPTION_KEY);

const statusFeed = new TenantStatusFeed(config.DATABASE_URL, log.child({ component: "status-feed" }));
await statusFeed.start();
const auth = await startAuthServices(base);

const ctx: ApiContext = {
  ...base,
  statusFeed,
  metrics: createApiMetrics(base, statusFeed),
  tenantKeys: new TenantKeyCache(statusFeed),
  tenantRows: new TenantRowCache(base.db, statusFeed, config.STATUS_CACHE_MS),
  auth,
};

const { token } = await bootstrapFirstOrganisation(base.db, config.CONVERGENCE_ADMIN_TOKEN);
const app = createApp(ctx);
const server = serve({ fetch: livenessFirst(app.fetch), port: config.PORT, hostname: config.API_HOST }, (addr) => {
  log.info({ port: addr.port, host: config.API_HOST }, "api listening");
  if (token && config.PRINT_BOOTSTRAP_TOKEN) {
    // Printed once, to the terminal only (not the structured log): it is not stored anywhere.
    process.stderr.write(
      `\nOrganisation 1 was created. Its token, shown only now:\n\n  export TOKEN=${token}\n\n` +
        `Set CONVERGENCE_ADMIN_TOKEN to choose the token yourself; 'npm run org -- create <name>' makes more organisations.\n\n`,
    );
  }
});

const ops =
  config.OPS_PORT > 0
    ? serve({ fetch: createOpsApp(ctx).fetch, port: config.OPS_PORT, hostname: config.OPS_HOST }, (addr) =>
        log.info({ port: addr.port, host: config.OPS_HOST }, "operations listener (metrics, queue dashboard) listening"),
      )
    : null;
// Sleeping tenants' ingress routes lead here (docs/idle.md).
const waker = startWaker(ctx);

ops?.on("error", (err: NodeJS.ErrnoException) => {
  // Like the public port: a process that cannot serve what its configuration says refuses to run.
  log.fatal({ err: { code: err.code, message: err.message } }, `the operations listener cannot listen on ${config.OPS_HOST}:${config.OPS_PORT} (set OPS_PORT, or 0 to turn it off)`);
  process.exit(1);
});

async function shutdown(signal: string) {
  log.info({ signal }, "api shutting down");
  const timer = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS);
  server.close();
  ops?.close();
  waker?.close();
  await statusFeed.close(); // held status waits answer now and event streams end, so close() can finish
  await auth.close();
  await ctx.metrics.close();
  await base.close();
  clearTimeout(timer);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
