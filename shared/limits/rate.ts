/**
 * Rate limits as token buckets in Redis, shared by every API process: a bucket holds up to N
 * tokens and refills at N a minute; an action takes one token or is refused with 429
 * RATE_LIMITED and the time until the next token in Retry-After. One Lua script reads, refills
 * and takes atomically, on Redis's own clock, so processes with skewed clocks agree.
 */
import type { Redis } from "ioredis";
import { AppError } from "../errors.js";
import type { RateLimitName } from "./limits.js";

const TAKE = `
local capacity = tonumber(ARGV[1])
local perMs = capacity / 60000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local waitMs = 0
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  waitMs = math.ceil((1 - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 61000)
return {allowed, waitMs}
`;

export interface RateDeps {
  redis: Redis;
  config: { QUEUE_PREFIX: string };
}

/** Takes one token from the organisation's bucket for `limit` (N a minute), or throws 429 RATE_LIMITED. */
export async function takeToken(deps: RateDeps, orgId: number, limit: RateLimitName, perMinute: number): Promise<void> {
  const key = `${deps.config.QUEUE_PREFIX}:rate:${limit}:${orgId}`;
  const [allowed, waitMs] = (await deps.redis.eval(TAKE, 1, key, perMinute)) as [number, number];
  if (allowed === 1) return;
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  throw new AppError(
    "RATE_LIMITED",
    `rate limit reached: ${perMinute} ${what[limit]} a minute for this organisation; retry in ${retryAfter} s`,
    { limit, max: perMinute, window: "minute", retryAfterSeconds: retryAfter },
    { "Retry-After": String(retryAfter) },
  );
}

const what: Record<RateLimitName, string> = {
  spawnsPerMinute: "spawns",
  rotationsPerMinute: "key rotations",
  destroysPerMinute: "destroys",
  logsPerMinute: "log reads",
  deploysPerMinute: "deploys",
};
