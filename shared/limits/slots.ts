/**
 * Limits on requests held open at once (event streams, held ?wait= requests), per
 * organisation and across every API process: each open request holds a slot, a member of a
 * sorted set in Redis scored by when its lease ends. A holder renews its lease while it is open
 * and releases it when done; a process that dies without releasing loses its slots when their
 * leases run out (LEASE_MS), so a crash never leaks capacity for long.
 *
 *   const slot = await holdSlot(ctx, orgId, "maxEventStreams", limits.maxEventStreams);
 *   try { … stream … } finally { slot.release(); }
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { SlotLimitName } from "./limits.js";

const LEASE_MS = 60_000;

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
`;
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
end
return 1
`;
const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`;

export interface SlotDeps {
  redis: Redis;
  config: { QUEUE_PREFIX: string };
  logger: Logger;
}

export interface Slot {
  /** Gives the slot back; safe to call more than once. */
  release(): void;
}

const keyOf = (deps: SlotDeps, limit: SlotLimitName, orgId: number) => `${deps.config.QUEUE_PREFIX}:slots:${limit}:${orgId}`;

/**
 * Takes one of the organisation's `max` slots for `limit`, or throws 429 CONCURRENCY_LIMIT_REACHED.
 * `leaseMs`: how soon a slot whose process died without releasing it is free again.
 */
export async function holdSlot(deps: SlotDeps, orgId: number, limit: SlotLimitName, max: number, opts: { leaseMs?: number } = {}): Promise<Slot> {
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const key = keyOf(deps, limit, orgId);
  const id = randomUUID();
  const ok = (await deps.redis.eval(ACQUIRE, 1, key, max, leaseMs, id)) as number;
  if (ok !== 1) throw refusal(limit, max, leaseMs);
  const renewal = setInterval(
    () => {
      deps.redis.eval(RENEW, 1, key, leaseMs, id).catch((err: unknown) => deps.logger.warn({ err, limit }, "could not renew a slot lease"));
    },
    Math.floor(leaseMs / 3),
  );
  renewal.unref();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(renewal);
      // If Redis is away the lease runs out by itself.
      deps.redis.zrem(key, id).catch((err: unknown) => deps.logger.warn({ err, limit }, "could not release a slot; its lease runs out by itself"));
    },
  };
}

/** How many slots the organisation holds now. */
export async function slotsHeld(deps: SlotDeps, orgId: number, limit: SlotLimitName): Promise<number> {
  return Number(await deps.redis.eval(COUNT, 1, keyOf(deps, limit, orgId)));
}

function refusal(limit: SlotLimitName, max: number, leaseMs: number): AppError {
  const details = { limit, max };
  const code = "CONCURRENCY_LIMIT_REACHED";
  switch (limit) {
    // Held waits end by themselves within a minute.
    case "maxHeldWaits":
      return new AppError(code, `this organisation already has ${max} held status requests (?wait=) open, its limit; close one first`, details, { "Retry-After": "5" });
    // Streams end only when a client closes one.
    case "maxEventStreams":
      return new AppError(code, `this organisation already has ${max} event streams open, its limit; close one first`, details);
    // A follow held by a client that went away without a word is free within one lease.
    case "maxLogFollows":
      return new AppError(code, `this organisation already follows the logs of ${max} tenant(s) at once, its limit; close one of those streams first`, details, {
        "Retry-After": String(Math.ceil(leaseMs / 1000)),
      });
  }
}
