/**
 * Every request answers within REQUEST_TIMEOUT_MS: when Postgres or Redis hangs (a frozen
 * process, a network that drops packets), the request gets 503 DEPENDENCY_UNAVAILABLE with
 * Retry-After instead of waiting with it, and the API recovers by itself once the dependency
 * answers again. Requests held open on purpose (status ?wait=, logs) lift the deadline
 * (`c.get("deadline")`) once they are admitted, and bound each read of their own instead.
 *
 * Verbs with side effects get the deadline and check it before committing (shared/deadline.ts):
 * work that finishes after its request was answered 503 must not leave a tenant or a new key behind.
 */
import { createMiddleware } from "hono/factory";
import { deadlineUnavailable, type Deadline } from "../shared/deadline.js";
import type { HonoEnv } from "./env.js";

export function requestDeadline(timeoutMs: number) {
  return createMiddleware<HonoEnv>(
    (c, next) =>
      // One promise and one timer a request: whichever settles it first wins, and a handler that
      // finishes after the 503 has nobody to report to.
      new Promise<void>((resolve, reject) => {
        const deadline: Deadline = { at: Date.now() + timeoutMs };
        c.set("deadline", deadline);
        const timer = setTimeout(() => {
          if (deadline.at !== Infinity) reject(deadlineUnavailable(`${c.req.method} ${c.req.path}`));
        }, timeoutMs);
        next().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (err: unknown) => {
            clearTimeout(timer);
            reject(err);
          },
        );
      }),
  );
}
