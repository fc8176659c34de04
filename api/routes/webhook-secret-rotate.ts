/** POST /api/v1/webhooks/secret/rotate — a new webhook signing secret, shown once; deliveries use it from now on. */
import { createRoute, z, type RouteHandler } from "@hono/zod-openapi";
import { rotateWebhookSecret } from "../../shared/webhooks/secret.js";
import { access } from "../access.js";
import type { HonoEnv } from "../env.js";
import { errorResponses } from "../schemas.js";

export const webhookSecretRotateRoute = createRoute({
  method: "post",
  path: "/api/v1/webhooks/secret/rotate",
  operationId: "rotateWebhookSecret",
  tags: ["Webhooks"],
  summary: "Rotate the organisation's webhook signing secret",
  description:
    "Replaces the secret (`whsec_…`) and returns the new one; it is stored only encrypted and stays readable with `GET /api/v1/webhooks/secret`. Every delivery from now on, retries of earlier events included, is signed with it.",
  ...access({ scope: "tenants:write", wholeOrganisation: true }),
  responses: {
    200: {
      description: "the new secret",
      content: {
        "application/json": {
          schema: z.object({
            success: z.literal(true),
            secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
            prefix: z.string().openapi({ example: "whsec_MfKQ9r" }),
          }),
        },
      },
    },
    ...errorResponses(401, 403, 429),
  },
});

export const webhookSecretRotateHandler: RouteHandler<typeof webhookSecretRotateRoute, HonoEnv> = async (c) => {
  const { secret, prefix } = await rotateWebhookSecret(c.get("ctx").db, c.get("ctx").config, c.get("org").id);
  c.get("log").info("webhook signing secret rotated");
  c.header("Cache-Control", "no-store");
  return c.json({ success: true as const, secret, prefix }, 200);
};
