/**
 * GET /api/v1/webhooks/secret — the organisation's webhook signing secret, created on first need,
 * so the very first delivery can be verified (as Svix and Stripe let an account read its endpoint
 * secret). Stored only encrypted; readable with the organisation's own credential.
 */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { displayPrefix } from "../../shared/crypto.js";
import { signingSecret } from "../../shared/webhooks/secret.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export const webhookSecretRoute = createRoute({
  method: "get",
  operationId: "getWebhookSecret",
  tags: ["Webhooks"],
  path: "/api/v1/webhooks/secret",
  summary: "The organisation's webhook signing secret",
  description:
    "The `whsec_…` secret every delivery is signed with (Standard Webhooks). Created on the first call if the organisation has none yet, so it can be known before the first event. Verify deliveries with `verifyWebhook` from `@convergence/sdk` or any Standard Webhooks library; `POST /api/v1/webhooks/secret/rotate` replaces it.",
  ...access({ scope: "tenants:write", wholeOrganisation: true }),
  responses: {
    200: {
      description: "the current secret",
      headers: { "Cache-Control": { schema: { type: "string", example: "no-store" } } },
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwZ3mK1HvqB0c=" }),
            prefix: z.string().openapi({ description: "the secret's first characters, to tell secrets apart", example: "whsec_MfKQ9r" }),
          }),
        },
      },
    },
    ...errorResponses(401, 403, 429),
  },
});

export const webhookSecretHandler: RouteHandler<typeof webhookSecretRoute, HonoEnv> = async (c) => {
  const ctx = c.get("ctx");
  const secret = await signingSecret(ctx.db, ctx.config, c.get("org").id);
  c.header("Cache-Control", "no-store");
  return c.json({ success: true as const, secret, prefix: displayPrefix(secret) }, 200);
};
