/** What the event streams (GET /api/v1/events, /api/v1/tenant/:id/events) share. */
import type { Context } from "hono";
import type { Principal } from "../shared/auth/principal.js";
import type { HonoEnv } from "./env.js";

/**
 * Aborts when the client goes away, or when the access token that opened the stream expires: a
 * stream must not outlive its credential (an expired or signed-out dashboard session would
 * otherwise keep receiving). Clients reconnect with a fresh token and Last-Event-ID.
 */
export function streamDeadline(c: Context<HonoEnv>, principal: Principal): AbortController {
  const stop = new AbortController();
  c.req.raw.signal.addEventListener("abort", () => stop.abort(), { once: true });
  if (principal.expiresAt !== null) {
    const timer = setTimeout(() => stop.abort(), Math.max(0, principal.expiresAt - Date.now()));
    stop.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  }
  return stop;
}
