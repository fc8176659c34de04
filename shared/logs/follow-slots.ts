/**
 * The per-organisation cap on open log follows, held in Redis so that it counts across every API
 * process: each open follow holds a slot, a lease (a member of the organisation's sorted set,
 * scored with its expiry on Redis's clock) that its API process renews while the client stays
 * and removes when it leaves. A process that dies without a word frees its slots when their
 * leases expire (LOGS_FOLLOW_LEASE_MS).
 */
import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";

/** Drops expired leases, then takes a slot if fewer than the limit are held. 1 = taken. */
const ACQUIRE = `
local t = redis.call("time")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call("zremrangebyscore", KEYS[1], "-inf", now)
if redis.call("zcard", KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call("zadd", KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call("pexpire", KEYS[1], ARGV[3])
return 1`;
const RENEW = `
local t = redis.call("time")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call("zadd", KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call("pexpire", KEYS[1], ARGV[2])
return 1`;

export interface LogFollowSlot {
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * How many log follows the organisation may hold open at once. The configured default for every
 * organisation for now; this is where an organisation's own limit plugs in.
 */
export async function logFollowLimit(ctx: AppContext, _orgId: number): Promise<number> {
  return ctx.config.LOGS_FOLLOW_MAX_PER_ORG;
}

/** Takes one of the organisation's slots, or refuses with 429 and when to try again. */
export async function acquireLogFollowSlot(ctx: AppContext, orgId: number): Promise<LogFollowSlot> {
  const key = `${ctx.config.QUEUE_PREFIX}:logs:follows:org:${orgId}`;
  const leaseMs = ctx.config.LOGS_FOLLOW_LEASE_MS;
  const member = randomUUID();
  const limit = await logFollowLimit(ctx, orgId);
  if ((await ctx.redis.eval(ACQUIRE, 1, key, limit, member, leaseMs)) !== 1) {
    throw new AppError(
      "RATE_LIMITED",
      `this organisation already follows the logs of ${limit} tenant(s) at once, its limit; close one of those streams first`,
      { limit },
      // A slot held by a client that went away without a word is free within one lease.
      { "Retry-After": String(Math.ceil(leaseMs / 1000)) },
    );
  }
  return {
    renew: async () => {
      await ctx.redis.eval(RENEW, 1, key, member, leaseMs);
    },
    release: async () => {
      await ctx.redis.zrem(key, member);
    },
  };
}
