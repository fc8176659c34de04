/**
 * Slowing down a credential that keeps failing from one client address (credential guessing, or
 * a client retrying a stale key), without ever refusing a valid credential.
 *
 * Policy: every failed authentication that could be a guess (an unknown organisation token or
 * tenant key, an access token with a bad signature, an unknown key or malformed claims; not a
 * genuine access token that merely expired or was revoked) is counted per client address and
 * credential fingerprint in Redis, shared by every API process, in a fixed window of
 * AUTH_FAILURE_WINDOW_SECONDS that starts at the client's first failure. The fingerprint is a
 * short keyed hash of the presented credential (HMAC-SHA256 under a key derived from
 * ENCRYPTION_KEY, 96 bits): never the credential, the same on every process. Beyond
 * AUTH_FAILURE_LIMIT failures of one credential, that credential gets 429 TOO_MANY_AUTH_FAILURES
 * with Retry-After (the rest of the window) from that address until the window ends; a credential
 * that fails cannot become valid, so this never refuses a valid one. Another credential from the
 * same address (another tenant behind the same proxy or Swarm node) is counted on its own, and a
 * valid one always goes through. A success neither resets nor touches any count.
 *
 * Bounded: one Redis hash per failing client address (which expires with its window), of at most
 * MAX_FINGERPRINTS_PER_CLIENT fields: the first credentials are counted apart, the client's
 * further ones share the field `*`, so a guesser who sends a new credential every time gets 429s
 * (for those failures only) from about its (MAX_FINGERPRINTS_PER_CLIENT + AUTH_FAILURE_LIMIT)th
 * attempt. In memory: at most `maxTracked` blocked (client, credential) pairs.
 *
 * The common case costs nothing: a request is checked against this process's memory only, and
 * Redis is written only when authentication has already failed. A process learns that a credential
 * is over the limit from its own first failed attempt with it (the count is shared, so that
 * attempt already answers 429).
 */
import { createHmac } from "node:crypto";
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

/** Fields of a client's hash in a window: credentials counted apart, and `*`, the count the rest share. */
export const MAX_FINGERPRINTS_PER_CLIENT = 64;

/**
 * KEYS[1] the client's hash; ARGV: fingerprint, window (ms), MAX_FINGERPRINTS_PER_CLIENT (`*` included).
 * Returns [failures of that field, ms left in the window, the field counted].
 */
const COUNT = `
local field = ARGV[1]
if redis.call('HEXISTS', KEYS[1], field) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) - 1 then field = '*' end
local failures = redis.call('HINCRBY', KEYS[1], field, 1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {failures, ttl, field}
`;

export class FailedAuthLimiter {
  /** (client, fingerprint) pairs this process knows to be over the limit, and until when (ms). */
  private readonly blockedUntil = new Map<string, number>();
  private readonly fingerprintKey: Buffer;

  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<Config, "AUTH_FAILURE_LIMIT" | "AUTH_FAILURE_WINDOW_SECONDS" | "QUEUE_PREFIX" | "ENCRYPTION_KEY">,
    private readonly logger: Logger,
    private readonly maxTracked = 10_000,
  ) {
    this.fingerprintKey = createHmac("sha256", Buffer.from(config.ENCRYPTION_KEY, "base64")).update("convergence failed-auth fingerprint v1").digest();
  }

  private get enabled(): boolean {
    return this.config.AUTH_FAILURE_LIMIT > 0;
  }

  /** A short keyed hash of a presented credential: tells credentials apart without keeping any. */
  fingerprint(credential: string): string {
    return createHmac("sha256", this.fingerprintKey).update(credential).digest("base64url").slice(0, 16);
  }

  /** Throws 429 when this credential is over the limit from this client, as far as this process knows. No I/O. */
  assertAllowed(client: string, credential: string): void {
    if (!this.enabled || this.blockedUntil.size === 0) return;
    const pair = `${client} ${this.fingerprint(credential)}`;
    const until = this.blockedUntil.get(pair);
    if (until === undefined) return;
    if (until > Date.now()) throw this.tooMany(until - Date.now());
    this.blockedUntil.delete(pair);
  }

  /**
   * Counts one failed authentication. Returns the 429 to answer instead of the 401 when this
   * failure is over the limit, or null. Never throws: a Redis outage must not turn a 401 into a 5xx.
   */
  async recordFailure(client: string, credential: string): Promise<AppError | null> {
    if (!this.enabled) return null;
    const fingerprint = this.fingerprint(credential);
    const key = `${this.config.QUEUE_PREFIX}:auth-failures:${client}`;
    const windowMs = this.config.AUTH_FAILURE_WINDOW_SECONDS * 1000;
    try {
      const [failures, remainingMs, field] = (await this.redis.eval(COUNT, 1, key, fingerprint, windowMs, MAX_FINGERPRINTS_PER_CLIENT)) as [number, number, string];
      if (!(failures > this.config.AUTH_FAILURE_LIMIT)) return null;
      const retryInMs = remainingMs > 0 ? remainingMs : windowMs;
      // The shared count `*` stands for any credential, a valid one too: it is never remembered as blocked.
      if (field === fingerprint) this.remember(`${client} ${fingerprint}`, Date.now() + retryInMs);
      if (failures === this.config.AUTH_FAILURE_LIMIT + 1) {
        this.logger.warn({ client, credential: field === fingerprint ? fingerprint : "(any other)", failures }, "too many failed authentications; slowing this credential down from this client");
      }
      return this.tooMany(retryInMs);
    } catch (err) {
      this.logger.warn({ err }, "could not count a failed authentication (Redis unavailable?)");
      return null;
    }
  }

  private remember(pair: string, until: number) {
    if (this.blockedUntil.size >= this.maxTracked) {
      const now = Date.now();
      for (const [p, t] of this.blockedUntil) if (t <= now) this.blockedUntil.delete(p);
      if (this.blockedUntil.size >= this.maxTracked) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    }
    this.blockedUntil.set(pair, until);
  }

  private tooMany(retryInMs: number): AppError {
    const seconds = Math.max(1, Math.ceil(retryInMs / 1000));
    return new AppError(
      "TOO_MANY_AUTH_FAILURES",
      `too many failed authentications with this credential from this address (more than ${this.config.AUTH_FAILURE_LIMIT} in ${this.config.AUTH_FAILURE_WINDOW_SECONDS} s); retry in ${seconds} s; a valid credential is not affected`,
      { limit: this.config.AUTH_FAILURE_LIMIT, windowSeconds: this.config.AUTH_FAILURE_WINDOW_SECONDS },
      { "Retry-After": String(seconds) },
    );
  }
}
