/**
 * The deadline of the request being served, carried with the async context (AsyncLocalStorage)
 * so that code deep down can check it without every verb taking a parameter. The API sets it per
 * request (REQUEST_TIMEOUT_MS); held requests (?wait=, event streams) lift it and bound each
 * read instead. Verbs with side effects check it before they commit: a request that has already
 * been answered 503 must not create anything afterwards (say, once a frozen Postgres thaws).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { AppError } from "./errors.js";

export interface Deadline {
  /** ms since the epoch; Infinity once lifted. */
  at: number;
}

const current = new AsyncLocalStorage<Deadline>();

/** Runs `fn` (and everything it calls) under `deadline`. */
export function runWithDeadline<T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  return current.run(deadline, fn);
}

/** For requests held open on purpose: the overall deadline no longer applies (each read is bounded instead). */
export function liftDeadline(): void {
  const state = current.getStore();
  if (state) state.at = Infinity;
}

export function deadlineUnavailable(what: string): AppError {
  return new AppError("DEPENDENCY_UNAVAILABLE", `${what} did not finish in time (Postgres or Redis is slow or unavailable); try again shortly`, undefined, {
    "Retry-After": "5",
  });
}

/** Throws 503 when the current request's deadline has passed (a no-op outside a request). */
export function assertBeforeDeadline(what: string): void {
  const state = current.getStore();
  if (state && Date.now() > state.at) throw deadlineUnavailable(what);
}
