/**
 * The Redis side of live logs, shared by the worker that publishes a tenant's lines and the API
 * processes that stream them to clients. Per tenant:
 *
 * - `stream`: a Redis stream of its lines (`kind line`, `id`, `at`, `line`), capped at
 *   STREAM_MAXLEN entries, and a final `kind end` once the tenant is destroyed;
 * - `last`: the id of the last line published, where a follower that takes over resumes;
 * - `wanted`: a lease every API process serving a follow of the tenant refreshes; the worker's
 *   follower stops once it lapses (nobody follows);
 * - `follower`: held by the one worker following the container, with its token; it means "every
 *   line from `last` on is, or will be, in the stream".
 *
 * A line's id is its Docker timestamp in nanoseconds since the epoch (a decimal string): what the
 * SSE stream sends as `id:`, and what a reconnecting client's Last-Event-ID becomes (`since`).
 * The keys live under QUEUE_PREFIX and expire STREAM_TTL_MS after the last activity.
 */
import type { Redis } from "ioredis";
import type { LogSince } from "../runtime/types.js";

/** Lines kept per tenant: how far a slow client or a reconnect can be behind. */
export const STREAM_MAXLEN = 1000;
/** How long a tenant's stream outlives its follower (a client reconnecting later resumes from it). */
export const STREAM_TTL_MS = 10 * 60_000;

export interface LogKeys {
  stream: string;
  last: string;
  wanted: string;
  follower: string;
}

export function logKeys(prefix: string, envId: number): LogKeys {
  const base = `${prefix}:logs:${envId}`;
  return { stream: `${base}:stream`, last: `${base}:last`, wanted: `${base}:wanted`, follower: `${base}:follower` };
}

/** One log line: `id` orders and resumes (nanoseconds since the epoch), `at` is Docker's RFC 3339 stamp, `line` the text. */
export interface LogLine {
  id: string;
  at: string;
  line: string;
}

export type LogEntry = ({ kind: "line" } & LogLine) | { kind: "end" };

const stamped = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) ?(.*)$/s;

/** `2026-11-29T04:33:16.022179839Z text` (a line as the runtimes return it) → its id, stamp and text; null without a stamp. */
export function parseLogLine(raw: string): LogLine | null {
  const m = stamped.exec(raw);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`) / 1000;
  if (!Number.isFinite(seconds)) return null;
  const id = BigInt(seconds) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
  return { id: id.toString(), at: `${m[1]}${m[2] ? `.${m[2]}` : ""}${m[3]}`, line: m[4]! };
}

/** A line id (nanoseconds) as the runtimes' `since` takes it: `seconds.nanoseconds`. */
export function sinceOf(id: string): LogSince {
  const ns = BigInt(id);
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, "0")}` as LogSince;
}

/** Now, as a line id (millisecond precision). */
export const nowId = (): string => (BigInt(Date.now()) * 1_000_000n).toString();

export const isValidLineId = (id: string): boolean => /^\d{1,20}$/.test(id);

export async function publishLine(redis: Redis, keys: LogKeys, line: LogLine): Promise<void> {
  await redis
    .multi()
    .xadd(keys.stream, "MAXLEN", "~", STREAM_MAXLEN, "*", "kind", "line", "id", line.id, "at", line.at, "line", line.line)
    .set(keys.last, line.id, "PX", STREAM_TTL_MS)
    .pexpire(keys.stream, STREAM_TTL_MS)
    .exec();
}

export async function publishEnd(redis: Redis, keys: LogKeys): Promise<void> {
  await redis.multi().xadd(keys.stream, "*", "kind", "end").pexpire(keys.stream, STREAM_TTL_MS).exec();
}

/** A stream entry's fields (`[k, v, k, v, …]`) as a LogEntry; null for anything else. */
export function entryOf(fields: string[]): LogEntry | null {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  if (f.kind === "end") return { kind: "end" };
  if (f.kind === "line" && f.id && f.at !== undefined && f.line !== undefined) return { kind: "line", id: f.id, at: f.at, line: f.line };
  return null;
}

/** The id of the stream's newest entry, or `0-0` when it has none: reading after it yields only what comes next. */
export async function lastEntryId(redis: Redis, keys: LogKeys): Promise<string> {
  const [newest] = (await redis.xrevrange(keys.stream, "+", "-", "COUNT", 1)) as Array<[string, string[]]>;
  return newest?.[0] ?? "0-0";
}
