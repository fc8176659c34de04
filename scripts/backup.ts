/**
 * `npm run backup -- [DIR]`: a consistent dump of the platform's Postgres database (the source of
 * truth: tenants, keys, events, metering, webhooks) to DIR (default ./backups), in pg_dump's
 * custom format, named after the database and the time. Prints the file's path on stdout, and on
 * stderr what Redis holds that the dump does not. Restore with `npm run restore -- FILE`.
 *
 * pg_dump reads everything in one transaction (--serializable-deferrable: a snapshot no
 * concurrent write can make inconsistent), so the platform keeps running while it dumps.
 */
import { chmodSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { loadConfig } from "../shared/config.js";
import { pgTarget, runPgTool } from "./pg-tools.js";

const config = loadConfig();
const dir = resolve(process.argv[2] ?? "backups");
const target = pgTarget(config.DATABASE_URL);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const file = join(dir, `convergence-${target.database}-${stamp}.dump`);
const partial = `${file}.partial`;

mkdirSync(dir, { recursive: true, mode: 0o700 });
try {
  await runPgTool("pg_dump", ["--format=custom", "--serializable-deferrable", `--file=${partial}`, `--dbname=${target.url}`], target);
  // Hashes and encrypted keys are in it: readable by the operator only.
  chmodSync(partial, 0o600);
  renameSync(partial, file);
} catch (err) {
  rmSync(partial, { force: true });
  console.error(`backup: ${(err as Error).message}`);
  process.exit(1);
}

console.error(`backup: ${target.database} dumped to ${file}`);
console.error(await redisNote());
console.log(file);

/**
 * What Redis holds that Postgres does not, today. Everything else there is work or a cache that
 * the platform rebuilds from Postgres (see the note printed).
 */
async function redisNote(): Promise<string> {
  let ended: number | string = "unknown (Redis did not answer)";
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 3_000 });
  try {
    await redis.connect();
    let count = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${config.QUEUE_PREFIX}:session-ended:*`, "COUNT", 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== "0");
    ended = count;
  } catch {
    // reported as unknown
  } finally {
    redis.disconnect();
  }
  return [
    "backup: Redis is not in the dump. What that costs after a restore with an empty Redis:",
    "  - tenant jobs (provision, destroy): nothing; the reconciler re-enqueues every tenant in a non-final state",
    "  - webhook deliveries: nothing; the outbox is the webhook_events table, pending events are enqueued again by the sweep",
    "  - periodic schedules (reconcile, health, webhook sweep): nothing; every worker re-asserts them",
    "  - monthly call quotas: nothing; rebuilt from the metering rows on first use",
    "  - per-minute quotas, rate limits, failed-auth counters, concurrency slots: start from zero (at most one window of extra allowance)",
    "  - failed-job history (the queue dashboard) and live log streams: lost; logs stay in Docker",
    `  - dashboard sign-outs: ${ended} ended session(s) held in Redis; lost, their tokens are accepted again until they expire (SESSION_TTL_SECONDS + 60 s at most)`,
  ].join("\n");
}
