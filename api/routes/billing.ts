/** GET /api/v1/billing — what was metered, reported to Stripe, pending, failed and expired for a month, and the drift against Stripe. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { monthOf } from "../../shared/billing/decide.js";
import { billingReport } from "../../shared/billing/report.js";
import { access } from "../access.js";
import { assertOwnOrganisation } from "../auth.js";
import type { HonoEnv } from "../env.js";
import { BillingSchema, errorResponses, orgIdQuery } from "../schemas.js";

const BillingQuery = z.object({
  org_id: orgIdQuery,
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "period must be a month, YYYY-MM")
    .optional()
    .openapi({ description: "a UTC month; default: this month", example: "2026-12" }),
});

const count = (description: string) => z.number().int().openapi({ description });

export const billingRoute = createRoute({
  method: "get",
  path: "/api/v1/billing",
  operationId: "getBilling",
  tags: ["Billing"],
  summary: "Billing: reported vs metered, and drift against Stripe",
  description:
    "For the organisation and a month: succeeded convergence calls metered, reported to Stripe, pending, failed and expired (these four add up to `metered`), why any are pending, and the last comparison with Stripe's own meter total (`stripe.drift` = Stripe's total − reported, with its reason).",
  ...access({ scope: "usage:read", wholeOrganisation: true }),
  request: { query: BillingQuery },
  responses: {
    200: {
      description: "the billing report",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            orgId: z.number().int(),
            billing: BillingSchema,
            period: z.object({ from: z.string(), to: z.string() }),
            calls: z
              .object({
                metered: count("succeeded convergence calls in the period (the billing records)"),
                reported: count("delivered to Stripe (accepted, or already held by Stripe under the same identifier)"),
                pending: count("not reported yet: the current hour, a flush to come, a retry, or no Stripe customer linked (see pendingReason)"),
                failed: count("refused by Stripe for good (see problems); sent again if the operator links another customer"),
                expired: count("older than the 35 days Stripe accepts when they could be sent: shown here, never re-dated"),
              })
              .openapi("BillingCalls"),
            pendingReason: z.string().nullable(),
            stripe: z
              .object({
                total: count("Stripe's meter event summary for the customer and period"),
                reported: count("what had been reported when Stripe was asked"),
                drift: z.number().int().openapi({ description: "total − reported; 0 when they agree" }),
                reason: z.string().nullable(),
                checkedAt: z.string(),
              })
              .nullable()
              .openapi({ description: "the last reconciliation against Stripe (every BILLING_RECONCILE_INTERVAL_MS); null before the first" }),
            problems: z.array(
              z.object({
                identifier: z.string(),
                envId: z.number().int(),
                hour: z.string(),
                calls: z.number().int(),
                status: z.enum(["failed", "expired"]),
                reason: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});

export const billingHandler: RouteHandler<typeof billingRoute, HonoEnv> = async (c) => {
  const q = c.req.valid("query");
  const org = c.get("org");
  assertOwnOrganisation(org, q.org_id);
  const period = monthOf(q.period ? new Date(`${q.period}-01T00:00:00Z`) : new Date());
  const ctx = c.get("ctx");
  const report = await billingReport(ctx.db, ctx.config, org.id, period);
  return c.json({ success: true as const, orgId: org.id, ...report }, 200);
};
