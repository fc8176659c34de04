/**
 * Worker side of live logs (the logsFollow job): while anyone follows a tenant's logs, one worker
 * follows its container's log stream and publishes every line, secrets scrubbed, to the tenant's
 * Redis stream (./channel.ts), where the API processes read it. The API never talks to Docker.
 *
 * It starts when an API process asks (a job, deduplicated per tenant) and stops when the `wanted`
 * lease lapses (nobody follows), when the worker shuts down, or once the tenant is destroyed
 * (after publishing `end`). It re-attaches whenever the log stream ends: the container was
 * re-created (key rotation, a container that vanished), restarted, or not there yet. Each attach
 * asks for the lines since the last one published, so a restart, a re-creation or a follower
 * taken over by another worker loses and repeats nothing.
 */
import { randomUUID } from "node:crypto";
import type { WorkerContext } from "../context.js";
import { scrubSecrets } from "../logger.js";
import { getTenant } from "../tenants/queries.js";
import { STREAM_MAXLEN, STREAM_TTL_MS, logKeys, nowId, parseLogLine, publishEnd, publishLine, sinceOf } from "./channel.js";

/** While no container runs (or its stream just ended), how often to look again. */
const REATTACH_MS = 1_000;

/** Renews the follower's hold while the lease is wanted; otherwise lets go of it. 1 = still following. */
const KEEP = `
if redis.call("get", KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call("exists", KEYS[2]) == 0 then redis.call("del", KEYS[1]) return 0 end
redis.call("pexpire", KEYS[1], ARGV[2])
redis.call("pexpire", KEYS[3], ARGV[3])
redis.call("pexpire", KEYS[4], ARGV[3])
return 1`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

export type FollowOutcome = "nobody follows" | "tenant destroyed" | "stopped";

export async function followContainerLogs(ctx: WorkerContext, envId: number, signal: AbortSignal): Promise<FollowOutcome> {
  const keys = logKeys(ctx.config.QUEUE_PREFIX, envId);
  const leaseMs = ctx.config.LOGS_FOLLOW_LEASE_MS;
  const token = `${ctx.actor}:${randomUUID()}`;

  // One follower per tenant. The job id already makes sure of that, except when BullMQ hands a
  // stalled job to another worker while the first still runs: then the newcomer waits its turn.
  for (;;) {
    if (signal.aborted) return "stopped";
    if (!(await ctx.redis.exists(keys.wanted))) return "nobody follows";
    if (await ctx.redis.set(keys.follower, token, "PX", leaseMs, "NX")) break;
    await pause(REATTACH_MS, signal);
  }

  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  const keeper = setInterval(
    () => {
      ctx.redis
        .eval(KEEP, 4, keys.follower, keys.wanted, keys.stream, keys.last, token, leaseMs, STREAM_TTL_MS)
        .then((kept) => kept !== 1 && stop.abort())
        .catch((err: unknown) => ctx.logger.warn({ err }, "log follower: could not renew its lease"));
    },
    Math.floor(leaseMs / 3),
  );

  try {
    // Lines from here on will be published (the API sends what came before from its own backfill);
    // recorded at once, so that a follower taking over before any line came resumes from here too.
    let cursor = await ctx.redis.get(keys.last);
    if (cursor === null) {
      cursor = nowId();
      await ctx.redis.set(keys.last, cursor, "PX", STREAM_TTL_MS);
    }
    ctx.logger.info({ envId, since: cursor }, "log follower started");
    while (!stop.signal.aborted) {
      const tenant = await getTenant(ctx.db, envId);
      if (!tenant || tenant.status === "destroyed") {
        await publishEnd(ctx.redis, keys);
        return "tenant destroyed";
      }
      try {
        // Until the stream ends (the container stopped or went), from the last line published:
        // `since` is inclusive, and bounded by the stream's length, so a long gap is not replayed whole.
        if (await ctx.runtime.inspect(tenant.containerName)) {
          const lines = ctx.runtime.followLogs(tenant.containerName, { since: sinceOf(cursor), tail: STREAM_MAXLEN, signal: stop.signal });
          for await (const raw of lines) {
            const line = parseLogLine(scrubSecrets(raw));
            if (!line || BigInt(line.id) <= BigInt(cursor)) continue;
            await publishLine(ctx.redis, keys, line);
            cursor = line.id;
          }
        }
      } catch (err) {
        if (!stop.signal.aborted) ctx.logger.warn({ err, envId }, "log follower: reading the container's logs failed; trying again");
      }
      await pause(REATTACH_MS, stop.signal);
    }
    return "stopped";
  } finally {
    clearInterval(keeper);
    signal.removeEventListener("abort", onAbort);
    await ctx.redis.eval(RELEASE, 1, keys.follower, token).catch(() => {});
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
