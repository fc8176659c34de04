/** POST /api/v1/orgs — the operator creates an organisation; its token is in this answer only. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { createCustomerFor } from "../../shared/billing/customers.js";
import { stripeFor } from "../../shared/billing/stripe-client.js";
import { createOrganisation } from "../../shared/orgs.js";
import type { HonoEnv } from "../env.js";
import { OrganisationSchema, errorResponses, operatorSecurity, text } from "../schemas.js";

const OrgCreateBody = z
  .strictObject({
    name: text("name", { max: 100 }).openapi({ example: "acme" }),
  })
  .openapi("CreateOrganisationRequest");

export const orgCreateRoute = createRoute({
  method: "post",
  operationId: "createOrganisation",
  tags: ["Organisations"],
  path: "/api/v1/orgs",
  summary: "Create an organisation",
  description:
    "For the platform operator (`CONVERGENCE_ADMIN_TOKEN` or organisation 1's token). Answers the new organisation's token once: it is stored only as a hash. With billing on, a Stripe customer is created for it (`stripeCustomerId`); if Stripe cannot be reached the organisation is created all the same, without one, and the operator links one later (`PUT /api/v1/orgs/{id}/billing`).",
  security: operatorSecurity,
  request: { body: { content: { "application/json": { schema: OrgCreateBody } }, required: true } },
  responses: {
    201: {
      description: "created; `token` is shown only here",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            organisation: OrganisationSchema,
            token: z.string().openapi({ example: "cvg_org_Qm8xV2b7T1kLpR4sN9wYz3Hc6Jd0Fg5A" }),
            stripeCustomerId: z.string().nullable().openapi({ description: "the Stripe customer created for it (billing on); null with billing off, or when Stripe could not be reached" }),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 413),
  },
});

export const orgCreateHandler: RouteHandler<typeof orgCreateRoute, HonoEnv> = async (c) => {
  const { name } = c.req.valid("json");
  const ctx = c.get("ctx");
  const { org, token } = await createOrganisation(ctx.db, name, c.get("deadline"));
  c.get("log").info({ orgId: org.id }, "organisation created");
  const stripe = stripeFor(ctx.config);
  // The organisation exists either way: a Stripe that fails now must not lose its token (shown only here).
  const stripeCustomerId = stripe
    ? await createCustomerFor(ctx.db, stripe, ctx.config.CONVERGENCE_INSTANCE, org).catch((err: unknown) => {
        c.get("log").warn({ orgId: org.id, err: { message: (err as Error).message } }, "could not create the organisation's Stripe customer; link one with PUT /api/v1/orgs/{id}/billing");
        return null;
      })
    : null;
  c.header("Cache-Control", "no-store");
  const organisation = { id: org.id, name: org.name, tokenPrefix: org.tokenPrefix, createdAt: org.createdAt.toISOString() };
  return c.json({ success: true as const, organisation, token, stripeCustomerId }, 201);
};
