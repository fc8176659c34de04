/**
 * API side of live logs: opening a follow of an organisation's tenant's logs (GET …/logs?follow=true).
 * Everything that can refuse happens before the stream opens, so a refusal is a plain JSON error:
 * the tenant must be the organisation's (404), the organisation must have a free slot (429,
 * shared/limits/slots.ts), and a worker must be following the container (503).
 *
 * Then, without a gap and without a repeat: the backlog (the last `tail` lines, or on a reconnect
 * the lines after the client's Last-Event-ID) read by a worker once the follower runs, and after
 * it every line the follower publishes to the tenant's Redis stream, read with XREAD BLOCK on a
 * connection of this follow's own. A line already in the backlog is skipped by its id.
 */
import type { Redis } from "ioredis";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { jobs } from "../jobs.js";
import { limitsOf } from "../limits/limits.js";
import { holdSlot } from "../limits/slots.js";
import { requestTenantLogs } from "../tenants/logs.js";
import { getTenantForOrg } from "../tenants/queries.js";
import { entryOf, lastEntryId, logKeys, parseLogLine, type LogKeys, type LogLine } from "./channel.js";

/** How often the API looks whether the worker's follower runs yet, while it waits for it. */
const FOLLOWER_POLL_MS = 50;
/** At most this many backlog lines on a reconnect (the runtime's `tail` maximum). */
const RESUME_MAX_LINES = 5000;

export type LogFollowItem = ({ kind: "line" } & LogLine) | { kind: "idle" } | { kind: "end" };

export interface LogFollow {
  /** What came before: the last `tail` lines, or the lines after `afterId`. Oldest first. */
  backlog: LogLine[];
  /** Then each new line as the tenant prints it, `idle` after `idleMs` without one, and `end` once the tenant is destroyed. */
  items: AsyncGenerator<LogFollowItem>;
  /** Frees the slot and the connection; safe to call more than once. */
  close(): Promise<void>;
}

export async function openLogFollow(ctx: AppContext, q: { orgId: number; envId: number; tail: number; afterId?: string; idleMs: number }): Promise<LogFollow> {
  const tenant = await getTenantForOrg(ctx.db, q.orgId, q.envId);
  if (tenant.status === "destroyed") return { backlog: [], items: ended(), close: async () => {} };

  const { limits } = await limitsOf(ctx.db, ctx.config, q.orgId);
  const slot = await holdSlot(ctx, q.orgId, "maxLogFollows", limits.maxLogFollows, { leaseMs: ctx.config.LOGS_FOLLOW_LEASE_MS });
  const keys = logKeys(ctx.config.QUEUE_PREFIX, q.envId);
  const log = ctx.logger.child({ envId: q.envId, component: "log-follow" });
  const want = async () => {
    await ctx.redis.set(keys.wanted, "1", "PX", ctx.config.LOGS_FOLLOW_LEASE_MS);
    if (!(await ctx.redis.exists(keys.follower))) await ctx.queues.enqueue(jobs.logsFollow, { envId: q.envId });
  };
  let reader: Redis | null = null;
  let keeper: NodeJS.Timeout | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (keeper) clearInterval(keeper);
    reader?.disconnect();
    slot.release();
  };

  try {
    keeper = setInterval(
      () => {
        want().catch((err: unknown) => log.warn({ err }, "could not renew the request to follow the logs"));
      },
      Math.floor(ctx.config.LOGS_FOLLOW_LEASE_MS / 3),
    );
    await want();
    await waitForFollower(ctx, keys, want);
    // Lines published from here on are read from the stream; what came before is the backlog's.
    const start = await lastEntryId(ctx.redis, keys);
    const backlog = await readBacklog(ctx, q);
    reader = ctx.redis.duplicate();
    const seen = backlog.at(-1)?.id ?? q.afterId;
    return { backlog, items: readStream(reader, keys, start, seen, q.idleMs, () => closed), close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function* ended(): AsyncGenerator<LogFollowItem> {
  yield { kind: "end" };
}

/** Until a worker holds the tenant's follower (asking again, in case the job was taken and has just ended). */
async function waitForFollower(ctx: AppContext, keys: LogKeys, ask: () => Promise<void>): Promise<void> {
  const timeoutMs = ctx.config.LOGS_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (let polls = 1; !(await ctx.redis.exists(keys.follower)); polls++) {
    if (Date.now() >= deadline) {
      throw new AppError("DEPENDENCY_UNAVAILABLE", `no worker started following the logs within ${timeoutMs} ms; is a worker running?`, undefined, {
        "Retry-After": "5",
      });
    }
    await new Promise((r) => setTimeout(r, FOLLOWER_POLL_MS));
    if (polls % 10 === 0) await ask();
  }
}

async function readBacklog(ctx: AppContext, q: { orgId: number; envId: number; tail: number; afterId?: string }): Promise<LogLine[]> {
  if (q.afterId === undefined && q.tail === 0) return [];
  const { lines } = await requestTenantLogs({
    ctx,
    orgId: q.orgId,
    envId: q.envId,
    ...(q.afterId !== undefined ? { tail: RESUME_MAX_LINES, since: q.afterId } : { tail: q.tail }),
  });
  const after = q.afterId === undefined ? null : BigInt(q.afterId);
  return lines.map(parseLogLine).filter((l): l is LogLine => l !== null && (after === null || BigInt(l.id) > after));
}

async function* readStream(reader: Redis, keys: LogKeys, start: string, seen: string | undefined, idleMs: number, isClosed: () => boolean): AsyncGenerator<LogFollowItem> {
  const skipUpTo = seen === undefined ? null : BigInt(seen);
  let position = start;
  while (!isClosed()) {
    let answer: Array<[string, Array<[string, string[]]>]> | null;
    try {
      answer = (await reader.xread("COUNT", 100, "BLOCK", idleMs, "STREAMS", keys.stream, position)) as typeof answer;
    } catch (err) {
      if (isClosed()) return; // close() disconnected the reader under its blocked read
      throw err;
    }
    if (!answer) {
      yield { kind: "idle" };
      continue;
    }
    for (const [entryId, fields] of answer[0]![1]) {
      position = entryId;
      const entry = entryOf(fields);
      if (!entry) continue;
      if (entry.kind === "end") {
        yield entry;
        return;
      }
      if (skipUpTo !== null && BigInt(entry.id) <= skipUpTo) continue;
      yield entry;
    }
  }
}
