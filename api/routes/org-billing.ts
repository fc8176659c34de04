/** PUT /api/v1/orgs/{id}/billing — the operator links an organisation to the Stripe customer that pays for it. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { linkCustomer } from "../../shared/billing/customers.js";
import { billingView } from "../../shared/billing/report.js";
import type { HonoEnv } from "../env.js";
import { BillingSchema, errorResponses, operatorSecurity } from "../schemas.js";

const MAX_INT4 = 2_147_483_647;

const OrgBillingBody = z
  .strictObject({
    stripeCustomerId: z
      .string({ error: "stripeCustomerId must be a Stripe customer id, cus_…" })
      .regex(/^cus_[A-Za-z0-9]{1,64}$/, "stripeCustomerId must be a Stripe customer id, cus_…")
      .openapi({ example: "cus_NciAYcXfLnqBoz" }),
  })
  .openapi("OrganisationBillingRequest");

export const orgBillingRoute = createRoute({
  method: "put",
  operationId: "setOrganisationBilling",
  tags: ["Billing"],
  path: "/api/v1/orgs/{id}/billing",
  summary: "Link an organisation to a Stripe customer",
  description:
    "For the platform operator (`CONVERGENCE_ADMIN_TOKEN` or organisation 1's token). The organisation's succeeded convergence calls are reported to this customer from now on, including those not reported yet (within Stripe's 35 days); events Stripe refused for good are sent again to it.",
  security: operatorSecurity,
  request: {
    params: z.object({
      id: z.coerce
        .number()
        .int()
        .positive()
        .max(MAX_INT4, "id is out of range")
        .openapi({ param: { name: "id", in: "path", description: "the organisation's id" }, example: 2 }),
    }),
    body: { content: { "application/json": { schema: OrgBillingBody } }, required: true },
  },
  responses: {
    200: {
      description: "linked",
      content: { "application/json": { schema: z.object({ success: z.literal(true), orgId: z.number().int(), billing: BillingSchema }) } },
    },
    ...errorResponses(400, 401, 403, 404, 413),
  },
});

export const orgBillingHandler: RouteHandler<typeof orgBillingRoute, HonoEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { stripeCustomerId } = c.req.valid("json");
  const ctx = c.get("ctx");
  await linkCustomer(ctx.db, id, stripeCustomerId);
  c.get("log").info({ orgId: id, stripeCustomerId }, "organisation linked to a Stripe customer");
  return c.json({ success: true as const, orgId: id, billing: await billingView(ctx.db, ctx.config, id) }, 200);
};
