/** GET /api/v1/org — the caller's organisation: its limits (its own or the defaults) and what it uses of each. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { limitDescriptions, limitNames } from "../../shared/limits/limits.js";
import { limitsReport } from "../../shared/limits/report.js";
import { billingView } from "../../shared/billing/report.js";
import { getOrganisation } from "../../shared/orgs.js";
import { defaultIdlePolicy } from "../../shared/tenants/idle-policy.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { BillingSchema, IdlePolicySchema, OrganisationSchema, errorResponses } from "../schemas.js";

const LimitsSchema = z
  .object(Object.fromEntries(limitNames.map((n) => [n, z.number().int().openapi({ description: limitDescriptions[n] })])) as Record<(typeof limitNames)[number], z.ZodNumber>)
  .openapi("OrganisationLimits");

export const orgRoute = createRoute({
  method: "get",
  path: "/api/v1/org",
  operationId: "getOrganisation",
  tags: ["Organisations"],
  summary: "Your organisation, its limits and usage",
  description:
    "The organisation the credential belongs to, its limits (the platform defaults unless the operator set its own, see `overridden`) and how much of each it uses now. Over a limit, calls answer 429 (`TENANT_LIMIT_REACHED`, `RATE_LIMITED`, `CONCURRENCY_LIMIT_REACHED`) naming it in `details.limit`.",
  ...access({ scope: "tenants:read", wholeOrganisation: true }),
  responses: {
    200: {
      description: "the organisation",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            organisation: OrganisationSchema,
            limits: LimitsSchema,
            overridden: z.array(z.enum(limitNames)).openapi({ description: "the limits set for this organisation; the others are the platform's defaults" }),
            usage: z
              .object({
                liveTenants: z.number().int().openapi({ description: "counts against maxTenants" }),
                eventStreams: z.number().int().openapi({ description: "counts against maxEventStreams" }),
                heldWaits: z.number().int().openapi({ description: "counts against maxHeldWaits" }),
                logFollows: z.number().int().openapi({ description: "counts against maxLogFollows" }),
              })
              .openapi("OrganisationUsage"),
            billing: BillingSchema,
            idleDefaults: IdlePolicySchema.openapi({ description: "the idle policy a spawn without `idle` gets (TENANT_IDLE_PAUSE_S, TENANT_IDLE_STOP_S; null = never)" }),
          }),
        },
      },
    },
    ...errorResponses(401, 403, 429),
  },
});

export const orgHandler: RouteHandler<typeof orgRoute, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  const orgId = c.get("org").id;
  const [org, report, billing] = await Promise.all([getOrganisation(ctx.db, orgId), limitsReport(ctx, orgId), billingView(ctx.db, ctx.config, orgId)]);
  const organisation = { id: org.id, name: org.name, tokenPrefix: org.tokenPrefix, createdAt: org.createdAt.toISOString() };
  return c.json({ success: true as const, organisation, ...report, billing, idleDefaults: defaultIdlePolicy(ctx.config) }, 200);
};
