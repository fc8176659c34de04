/**
 * A request's deadline (REQUEST_TIMEOUT_MS, set by the API per request, api/deadline.ts), passed
 * to the verbs that need it as a plain object. Held requests (?wait=, logs) lift it and bound each
 * read instead. Verbs with side effects check it before they commit: a request that has already
 * been answered 503 must not create anything afterwards (say, once a frozen Postgres thaws).
 *
 * Passed by hand rather than carried by AsyncLocalStorage: on Node 20 one AsyncLocalStorage in
 * use turns on promise hooks for the whole process, which cost every request (/healthz included)
 * tens of microseconds, and only four verbs read the deadline.
 */
import { AppError } from "./errors.js";

export interface Deadline {
  /** ms since the epoch; Infinity once lifted. */
  at: number;
}

/** For requests held open on purpose: the overall deadline no longer applies (each read is bounded instead). */
export function liftDeadline(deadline: Deadline | undefined): void {
  if (deadline) deadline.at = Infinity;
}

export function deadlineUnavailable(what: string): AppError {
  return new AppError("DEPENDENCY_UNAVAILABLE", `${what} did not finish in time (Postgres or Redis is slow or unavailable); try again shortly`, undefined, {
    "Retry-After": "5",
  });
}

/** Throws 503 when the request's deadline has passed (a no-op without one: scripts, workers). */
export function assertBeforeDeadline(deadline: Deadline | undefined, what: string): void {
  if (deadline && Date.now() > deadline.at) throw deadlineUnavailable(what);
}
