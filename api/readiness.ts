/**
 * Readiness: whether this API process can serve (Postgres and Redis answer, each within 2 s).
 * The public port's /readyz says only that, ok or not; which dependency failed and how (driver
 * errors name hosts, ports and timeouts) is for operators, on the operations listener's /readyz.
 */
import { withTimeout } from "../shared/timeout.js";
import type { ApiContext } from "./env.js";

export interface Readiness {
  ok: boolean;
  checks: { postgres: string; redis: string };
  /** The status feed (LISTEN for ?wait= and event streams) is reported, not gated on: it re-subscribes by itself. */
  statusFeed: "listening" | "reconnecting";
}

export async function checkReadiness(ctx: ApiContext): Promise<Readiness> {
  const [postgres, redis] = await Promise.all([
    withTimeout(ctx.sql`select 1`, 2000, "postgres").then(
      () => "ok",
      (e: Error) => `down: ${e.message}`,
    ),
    withTimeout(ctx.redis.ping(), 2000, "redis").then(
      () => "ok",
      (e: Error) => `down: ${e.message}`,
    ),
  ]);
  return {
    ok: postgres === "ok" && redis === "ok",
    checks: { postgres, redis },
    statusFeed: ctx.statusFeed.isListening ? "listening" : "reconnecting",
  };
}
