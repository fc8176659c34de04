/** The one timeout helper: a promise that rejects when another does not settle in time. */

export class TimeoutError extends Error {
  override name = "TimeoutError";
  readonly code = "ETIMEDOUT";
}

/** Settles like `p`, or rejects with TimeoutError after `ms`; the timer never outlives the race. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = "operation"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
