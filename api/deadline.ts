/**
 * Every request answers within REQUEST_TIMEOUT_MS: when Postgres or Redis hangs (a frozen
 * process, a network that drops packets), the request gets 503 DEPENDENCY_UNAVAILABLE with
 * Retry-After instead of waiting with it, and the API recovers by itself once the dependency
 * answers again. Requests held open on purpose (status ?wait=, and whatever streams) call
 * liftDeadline() once they are admitted, and bound each read of their own instead.
 *
 * The deadline travels with the request's async context (shared/deadline.ts), so verbs with side
 * effects check it before committing: work that finishes after its request was answered 503 must
 * not leave a tenant or a new key behind.
 */
import { createMiddleware } from "hono/factory";
import { deadlineUnavailable, runWithDeadline, type Deadline } from "../shared/deadline.js";
import type { HonoEnv } from "./env.js";

export function requestDeadline(timeoutMs: number) {
  return createMiddleware<HonoEnv>(async (c, next) => {
    const deadline: Deadline = { at: Date.now() + timeoutMs };
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (deadline.at !== Infinity) reject(deadlineUnavailable(`${c.req.method} ${c.req.path}`));
      }, timeoutMs);
    });
    const handled = runWithDeadline(deadline, () => next());
    // Once the deadline has answered, whatever the handler does later is nobody's to report.
    handled.catch(() => {});
    try {
      await Promise.race([handled, expired]);
    } finally {
      clearTimeout(timer);
    }
  });
}
