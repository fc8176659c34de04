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
import { limitsOf } from "../limits/limits.js";

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

/** How many log follows the organisation may hold open at once: its own `maxLogFollows`, or LOGS_FOLLOW_MAX_PER_ORG. */
export async function logFollowLimit(ctx: AppContext, orgId: number): Promise<number> {
  return (await limitsOf(ctx.db, ctx.config, orgId)).limits.maxLogFollows;
}

const keyOf = (ctx: Pick<AppContext, "config">, orgId: number) => `${ctx.config.QUEUE_PREFIX}:logs:follows:org:${orgId}`;

/** How many log follows the organisation holds open now (leases not yet expired). */
export async function logFollowsHeld(ctx: Pick<AppContext, "config" | "redis">, orgId: number): Promise<number> {
  const t = await ctx.redis.time();
  const now = Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000);
  return ctx.redis.zcount(keyOf(ctx, orgId), `(${now}`, "+inf");
}

/** Takes one of the organisation's slots, or refuses with 429 and when to try again. */
export async function acquireLogFollowSlot(ctx: AppContext, orgId: number): Promise<LogFollowSlot> {
  const key = keyOf(ctx, orgId);
  const leaseMs = ctx.config.LOGS_FOLLOW_LEASE_MS;
  const member = randomUUID();
  const limit = await logFollowLimit(ctx, orgId);
  if ((await ctx.redis.eval(ACQUIRE, 1, key, limit, member, leaseMs)) !== 1) {
    throw new AppError(
      "CONCURRENCY_LIMIT_REACHED",
      `this organisation already follows the logs of ${limit} tenant(s) at once, its limit; close one of those streams first`,
      { limit: "maxLogFollows", max: limit },
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
