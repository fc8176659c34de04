/**
 * The worker's liveness signal for container healthchecks (docker-compose.yml): every interval,
 * if Redis and Postgres both answer, the heartbeat file's modification time is bumped.
 * worker/healthcheck.ts reports unhealthy when the file has gone stale. Off unless
 * WORKER_HEARTBEAT_FILE is set.
 */
import { writeFile } from "node:fs/promises";
import type { AppContext } from "../shared/context.js";
import { withTimeout } from "../shared/timeout.js";

export function startHeartbeat(ctx: AppContext): { stop(): void } {
  const file = ctx.config.WORKER_HEARTBEAT_FILE;
  const intervalMs = ctx.config.WORKER_HEARTBEAT_MS;
  if (!file) return { stop() {} };
  const beat = async () => {
    try {
      await withTimeout(Promise.all([ctx.redis.ping(), ctx.sql`select 1`]), intervalMs / 2, "heartbeat");
      await writeFile(file, new Date().toISOString());
    } catch (err) {
      ctx.logger.warn({ err }, "heartbeat skipped: Redis or Postgres did not answer");
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  return { stop: () => clearInterval(timer) };
}
