/**
 * Every request answers within REQUEST_TIMEOUT_MS: when Postgres or Redis hangs (a frozen
 * process, a network that drops packets), the request gets 503 DEPENDENCY_UNAVAILABLE with
 * Retry-After instead of waiting with it, and the API recovers by itself once the dependency
 * answers again. Requests held open on purpose (status ?wait=, logs) lift the deadline
 * (`c.get("deadline")`) once they are admitted, and bound each read of their own instead; so does
 * a convergence call, whose run has its own budget (CONVERGE_TIMEOUT_MS, shared/convergence/run.ts).
 *
 * Verbs with side effects get the deadline and check it before committing (shared/deadline.ts):
 * work that finishes after its request was answered 503 must not leave a tenant or a new key behind.
 */
import { createMiddleware } from "hono/factory";
import { deadlineUnavailable, type Deadline } from "../shared/deadline.js";
import type { HonoEnv } from "./env.js";

/** A request in flight: when it expires, and how to answer it 503 then. */
interface InFlight {
  expires: number;
  deadline: Deadline;
  fail(): void;
}

export function requestDeadline(timeoutMs: number) {
  // Requests in flight, in the order they came, which is the order they expire in (one timeout for
  // all). One sweep every tick answers the expired ones, rather than a timer per request: setting
  // and clearing a timer cost every request more than the rest of this middleware, and a 503
  // sent up to a tick late (≤ 100 ms of a 5 s deadline) is the same answer.
  const inFlight = new Set<InFlight>();
  const tickMs = Math.max(10, Math.min(100, timeoutMs / 10));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const r of inFlight) {
      if (r.expires > now) break;
      inFlight.delete(r);
      if (r.deadline.at !== Infinity) r.fail(); // a lifted deadline (a held request) is not failed
    }
    if (inFlight.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  return createMiddleware<HonoEnv>(
    (c, next) =>
      // Whichever settles the promise first wins: a handler that finishes after the 503 has nobody to report to.
      new Promise<void>((resolve, reject) => {
        const deadline: Deadline = { at: Date.now() + timeoutMs };
        c.set("deadline", deadline);
        const request: InFlight = { expires: deadline.at, deadline, fail: () => reject(deadlineUnavailable(`${c.req.method} ${c.req.path}`)) };
        inFlight.add(request);
        sweeper ??= setInterval(sweep, tickMs).unref();
        next().then(
          () => {
            inFlight.delete(request);
            resolve();
          },
          (err: unknown) => {
            inFlight.delete(request);
            reject(err);
          },
        );
      }),
  );
}
