/**
 * Per-organisation limits: what each one is, the platform defaults (configuration), and an
 * organisation's own values stored in Postgres (org_limits; `npm run org -- set-limits`). Read
 * fresh from Postgres wherever they are enforced, so a change applies to the next request.
 *
 * - maxTenants: live tenants (pending … unhealthy) at once, enforced in the spawn transaction;
 * - spawnsPerMinute, rotationsPerMinute, destroysPerMinute, logsPerMinute: token buckets in Redis
 *   shared by every API process (./rate.ts): up to N at once, then N a minute;
 * - maxEventStreams, maxHeldWaits, maxLogFollows: requests held open at once, counted in Redis
 *   across API processes (./slots.ts; log follows with leases of LOGS_FOLLOW_LEASE_MS).
 */
import { eq } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db, Tx } from "../db/client.js";
import { orgLimits } from "../db/schema.js";

export const limitNames = [
  "maxTenants",
  "spawnsPerMinute",
  "rotationsPerMinute",
  "destroysPerMinute",
  "logsPerMinute",
  "maxEventStreams",
  "maxHeldWaits",
  "maxLogFollows",
  "deploysPerMinute",
] as const;
export type LimitName = (typeof limitNames)[number];
export type OrgLimits = Record<LimitName, number>;
export type RateLimitName = Extract<LimitName, `${string}PerMinute`>;
/** Held-open requests, counted by ./slots.ts. */
export type SlotLimitName = Extract<LimitName, "maxEventStreams" | "maxHeldWaits" | "maxLogFollows">;

/** What each limit means, for the API's answer, the CLI and the docs. */
export const limitDescriptions: Record<LimitName, string> = {
  maxTenants: "live tenants (pending, provisioning, starting, ready, unhealthy) at once",
  spawnsPerMinute: "spawns a minute (bursts up to the same number)",
  rotationsPerMinute: "tenant key rotations a minute (bursts up to the same number)",
  destroysPerMinute: "destroys a minute (bursts up to the same number)",
  logsPerMinute: "log reads a minute (bursts up to the same number)",
  maxEventStreams: "open event streams (GET /tenant/{id}/events) at once",
  maxHeldWaits: "held status requests (?wait=) at once",
  maxLogFollows: "followed log streams (logs?follow=true) at once",
  deploysPerMinute: "deploys, rollbacks and env changes a minute (bursts up to the same number)",
};

/** The largest value a limit may be set to (an integer column). */
export const MAX_LIMIT = 1_000_000;

export function defaultLimits(config: Config): OrgLimits {
  return {
    maxTenants: config.ORG_MAX_TENANTS,
    spawnsPerMinute: config.ORG_SPAWNS_PER_MINUTE,
    rotationsPerMinute: config.ORG_ROTATIONS_PER_MINUTE,
    destroysPerMinute: config.ORG_DESTROYS_PER_MINUTE,
    logsPerMinute: config.ORG_LOGS_PER_MINUTE,
    maxEventStreams: config.ORG_MAX_EVENT_STREAMS,
    maxHeldWaits: config.ORG_MAX_HELD_WAITS,
    maxLogFollows: config.LOGS_FOLLOW_MAX_PER_ORG,
    deploysPerMinute: config.ORG_DEPLOYS_PER_MINUTE,
  };
}

/** The organisation's limits (its own where set, the defaults elsewhere) and which ones are its own. */
export async function limitsOf(db: Db | Tx, config: Config, orgId: number): Promise<{ limits: OrgLimits; overridden: LimitName[] }> {
  const [row] = await db.select().from(orgLimits).where(eq(orgLimits.orgId, orgId));
  const limits = defaultLimits(config);
  const overridden: LimitName[] = [];
  for (const name of limitNames) {
    const own = row?.[name];
    if (own !== null && own !== undefined) {
      limits[name] = own;
      overridden.push(name);
    }
  }
  return { limits, overridden };
}

/** Sets some of the organisation's own limits; null puts a limit back to the default. */
export async function setLimits(db: Db, orgId: number, values: Partial<Record<LimitName, number | null>>): Promise<void> {
  for (const [name, v] of Object.entries(values)) {
    if (v !== null && !(Number.isInteger(v) && v >= 1 && v <= MAX_LIMIT)) throw new RangeError(`${name} must be an integer from 1 to ${MAX_LIMIT}`);
  }
  await db
    .insert(orgLimits)
    .values({ orgId, ...values, updatedAt: new Date() })
    .onConflictDoUpdate({ target: orgLimits.orgId, set: { ...values, updatedAt: new Date() } });
}
