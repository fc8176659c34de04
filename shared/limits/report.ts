/** An organisation's limits next to what it uses of each, for GET /api/v1/org and `npm run org -- limits`. */
import { and, count, eq, inArray } from "drizzle-orm";
import type { AppContext } from "../context.js";
import { tenants } from "../db/schema.js";
import { liveStatuses } from "../tenant-state.js";
import { limitsOf, type LimitName, type OrgLimits } from "./limits.js";
import { slotsHeld } from "./slots.js";

export interface LimitsReport {
  limits: OrgLimits;
  /** The limits set for this organisation; the others are the platform's defaults. */
  overridden: LimitName[];
  usage: { liveTenants: number; eventStreams: number; heldWaits: number; logFollows: number };
}

export async function limitsReport(ctx: Pick<AppContext, "db" | "redis" | "config" | "logger">, orgId: number): Promise<LimitsReport> {
  const [{ limits, overridden }, [live], eventStreams, heldWaits, logFollows] = await Promise.all([
    limitsOf(ctx.db, ctx.config, orgId),
    ctx.db
      .select({ n: count() })
      .from(tenants)
      .where(and(eq(tenants.orgId, orgId), inArray(tenants.status, [...liveStatuses]))),
    slotsHeld(ctx, orgId, "maxEventStreams"),
    slotsHeld(ctx, orgId, "maxHeldWaits"),
    slotsHeld(ctx, orgId, "maxLogFollows"),
  ]);
  return { limits, overridden, usage: { liveTenants: live?.n ?? 0, eventStreams, heldWaits, logFollows } };
}
