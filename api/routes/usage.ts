/** GET /api/v1/usage?org_id=1 — convergence calls per tenant and in total for a period, for billing. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { AppError } from "../../shared/errors.js";
import { defaultPeriod, usageReport } from "../../shared/metering.js";
import { access, visibleTenants } from "../access.js";
import { assertOwnOrganisation } from "../auth.js";
import type { HonoEnv } from "../env.js";
import { errorResponses, isoDate, orgIdQuery, tenantIdQuery } from "../schemas.js";

/** The longest period one report covers: billing months and years, not all time in one query. */
const MAX_PERIOD_DAYS = 400;

const UsageQuery = z.object({
  org_id: orgIdQuery,
  from: isoDate("from").optional().openapi({ description: "inclusive; default: start of this month (UTC)", example: "2026-11-01" }),
  to: isoDate("to").optional().openapi({ description: "exclusive; default: start of next month (UTC)", example: "2026-12-01" }),
  tenant_id: tenantIdQuery,
  granularity: z.enum(["total", "day"]).default("total").openapi({ description: "`day` adds a per-day breakdown per tenant" }),
});

const Totals = z.object({
  calls: z.number().int().openapi({ description: "calls that ran (succeeded + errors); what is billed" }),
  succeeded: z.number().int(),
  errors: z.number().int(),
  refused: z.number().int().openapi({ description: "refused by quota or rate limit; not billed" }),
  aborted: z.number().int().openapi({
    description: "stopped before they finished (the client disconnected, or CONVERGE_TIMEOUT_MS ran out); not billed, though they use the quota and their tokens count in tokensIn/tokensOut",
  }),
  converged: z.number().int(),
  rounds: z.number().int(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  avgLatencyMs: z.number().int(),
});

export const usageRoute = createRoute({
  method: "get",
  path: "/api/v1/usage",
  operationId: "getUsage",
  tags: ["Usage"],
  summary: "Usage for billing",
  description:
    "Convergence calls (succeeded, errors, refused, aborted), rounds and tokens, per tenant (per day too with `granularity`) and in total, for a period (the current calendar month unless `from`/`to` say otherwise): what billing counts. Destroyed tenants' usage stays.",
  ...access({ scope: "usage:read" }),
  request: { query: UsageQuery },
  responses: {
    200: {
      description: "usage per tenant (destroyed tenants included) and totals",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            orgId: z.number().int(),
            period: z.object({ from: z.string(), to: z.string() }),
            tenants: z.array(
              Totals.extend({
                envId: z.number().int(),
                tenantId: z.string(),
                name: z.string(),
                status: z.string(),
                days: z.array(Totals.extend({ day: z.string() })).optional(),
              }),
            ),
            totals: Totals,
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});

export const usageHandler: RouteHandler<typeof usageRoute, HonoEnv> = async (c) => {
  const q = c.req.valid("query");
  const org = c.get("org");
  assertOwnOrganisation(org, q.org_id);
  const period = defaultPeriod();
  const from = q.from ?? period.from;
  const to = q.to ?? period.to;
  if (from >= to) throw new AppError("VALIDATION_FAILED", "from must be before to");
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
    throw new AppError("VALIDATION_FAILED", `the period from ${from.toISOString()} to ${to.toISOString()} is longer than ${MAX_PERIOD_DAYS} days; ask for it in parts`);
  }
  const envIds = visibleTenants(c.get("principal"));
  const report = await usageReport(c.get("ctx").db, { orgId: org.id, from, to, envId: q.tenant_id, envIds, perDay: q.granularity === "day" });
  return c.json({ success: true as const, orgId: org.id, ...report }, 200);
};
