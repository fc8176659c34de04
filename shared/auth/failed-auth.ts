/**
 * Slowing down repeated failed authentications from one client address (credential guessing).
 *
 * Policy: every failed authentication that could be a guess (an unknown organisation token or
 * tenant key, an access token with a bad signature, an unknown key or malformed claims; not a
 * genuine access token that merely expired or was revoked) increments a counter per client
 * address in Redis, shared by every API process, in a fixed window of
 * AUTH_FAILURE_WINDOW_SECONDS that starts at the first failure. Beyond AUTH_FAILURE_LIMIT
 * failures, the client gets 429 TOO_MANY_AUTH_FAILURES with Retry-After (the rest of the window)
 * on every request to a process that has seen it fail, valid credentials included, until the
 * window ends. A success neither resets nor touches the counter.
 *
 * The common case costs nothing: a request is checked against this process's memory only, and
 * Redis is written only when authentication has already failed. The price is that a process
 * learns a client is over the limit from its own first failed attempt (the counter is shared,
 * so that attempt already answers 429): a guesser gets at most one extra try per API process and
 * window, not one per request.
 */
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

export class FailedAuthLimiter {
  /** Clients this process knows to be over the limit, and until when (ms). */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<Config, "AUTH_FAILURE_LIMIT" | "AUTH_FAILURE_WINDOW_SECONDS" | "QUEUE_PREFIX">,
    private readonly logger: Logger,
    private readonly maxTracked = 10_000,
  ) {}

  private get enabled(): boolean {
    return this.config.AUTH_FAILURE_LIMIT > 0;
  }

  /** Throws 429 when this client is over the limit, as far as this process knows. No I/O. */
  assertAllowed(client: string): void {
    if (!this.enabled) return;
    const until = this.blockedUntil.get(client);
    if (until === undefined) return;
    if (until > Date.now()) throw this.tooMany(until - Date.now());
    this.blockedUntil.delete(client);
  }

  /**
   * Counts one failed authentication. Returns the 429 to answer instead of the 401 when this
   * failure is over the limit, or null. Never throws: a Redis outage must not turn a 401 into a 5xx.
   */
  async recordFailure(client: string): Promise<AppError | null> {
    if (!this.enabled) return null;
    const key = `${this.config.QUEUE_PREFIX}:auth-failures:${client}`;
    const windowMs = this.config.AUTH_FAILURE_WINDOW_SECONDS * 1000;
    try {
      const results = await this.redis.multi().set(key, 0, "PX", windowMs, "NX").incr(key).pttl(key).exec();
      const failures = Number(results?.[1]?.[1]);
      const remainingMs = Number(results?.[2]?.[1]);
      if (!(failures > this.config.AUTH_FAILURE_LIMIT)) return null;
      const retryInMs = remainingMs > 0 ? remainingMs : windowMs;
      this.remember(client, Date.now() + retryInMs);
      if (failures === this.config.AUTH_FAILURE_LIMIT + 1) this.logger.warn({ client, failures }, "too many failed authentications; slowing this client down");
      return this.tooMany(retryInMs);
    } catch (err) {
      this.logger.warn({ err }, "could not count a failed authentication (Redis unavailable?)");
      return null;
    }
  }

  private remember(client: string, until: number) {
    if (this.blockedUntil.size >= this.maxTracked) {
      const now = Date.now();
      for (const [c, t] of this.blockedUntil) if (t <= now) this.blockedUntil.delete(c);
      if (this.blockedUntil.size >= this.maxTracked) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    }
    this.blockedUntil.set(client, until);
  }

  private tooMany(retryInMs: number): AppError {
    const seconds = Math.max(1, Math.ceil(retryInMs / 1000));
    return new AppError(
      "TOO_MANY_AUTH_FAILURES",
      `too many failed authentications from this address (more than ${this.config.AUTH_FAILURE_LIMIT} in ${this.config.AUTH_FAILURE_WINDOW_SECONDS} s); retry in ${seconds} s`,
      { limit: this.config.AUTH_FAILURE_LIMIT, windowSeconds: this.config.AUTH_FAILURE_WINDOW_SECONDS },
      { "Retry-After": String(seconds) },
    );
  }
}
